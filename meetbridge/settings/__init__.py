"""Settings read once from the environment into a typed, validated object.

Each setting is declared once (`declared.SETTINGS`); that declaration drives the reader
(`load_settings`), `Settings`' defaults and repr(), and README's settings table (`readme`).
Start-up refuses to continue with a half-configured app: every problem is collected and
reported together.
"""

from .declared import (
    DEFAULT_OPENTOK_API_URL,
    DEFAULT_OPENTOK_JS_INTEGRITY,
    DEFAULT_OPENTOK_JS_URL,
    DEFAULT_SLACK_API_URL,
    DEFAULT_VONAGE_API_HOST,
    SETTINGS,
    Setting,
)
from .model import Settings
from .reader import SettingsError, load_settings
from .values import check_phone_number, check_server_url, read_private_key

__all__ = ["DEFAULT_OPENTOK_API_URL", "DEFAULT_OPENTOK_JS_INTEGRITY", "DEFAULT_OPENTOK_JS_URL", "DEFAULT_SLACK_API_URL",
           "DEFAULT_VONAGE_API_HOST", "SETTINGS", "Setting", "Settings", "SettingsError", "check_phone_number",
           "check_server_url", "load_settings", "read_private_key"]
