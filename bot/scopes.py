"""Bot scopes the app asks for; manifest.yml lists the same ones (a test keeps them in step)."""

BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "calls:read", "calls:write")
BOT_EVENTS = ("app_home_opened", "app_uninstalled", "tokens_revoked")
