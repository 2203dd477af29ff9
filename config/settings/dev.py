"""Local development: the embedded defaults (SQLite, eager tasks, mail on the console)."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Demo staff accounts have two-factor authentication set up; in development the code 000000
# is accepted so the printed demo logins work without an authenticator app. allauth refuses
# this setting unless DEBUG is on.
MFA_TOTP_INSECURE_BYPASS_CODE = "000000" if DEBUG else None
