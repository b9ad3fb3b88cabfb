"""Bot scopes the app asks for; manifest.yml lists the same ones (a test keeps them in step)."""

# users:read: the member's name that a callee hears, their time zone and their language (users.info).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "calls:read", "calls:write", "users:read")
BOT_EVENTS = ("app_home_opened", "app_uninstalled", "tokens_revoked")
