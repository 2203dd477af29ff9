"""The webhook secrets: made, encrypted at rest, and used to sign and to check signatures.

A secret is encrypted with Fernet under a key derived from SECRET_KEY (and tried with each of
SECRET_KEY_FALLBACKS, so rotating the key does not break the channels at once). A copy of the
database alone does not give a channel's secret away; it is shown once, when made, and never
logged.

The signature (both ways): `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the
secret, with the timestamp (seconds since the epoch) in its own header, so an old message
cannot be sent again later with a fresh timestamp.
"""

import base64
import hashlib
import hmac
import secrets as pysecrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

SIGNATURE_HEADER = "X-BewonersTeam-Signature"
TIMESTAMP_HEADER = "X-BewonersTeam-Timestamp"
DELIVERY_HEADER = "X-BewonersTeam-Delivery"


class SecretUnavailable(Exception):
    """The stored secret cannot be decrypted (SECRET_KEY changed without a fallback)."""


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(b"bewonersteam.handoff.secret:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(k) for k in keys])


def new_secret() -> str:
    """A fresh secret: 32 random bytes, as URL-safe text."""
    return pysecrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnavailable("the channel's secret cannot be read") from exc


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is ours for `body` at `timestamp` (compared in constant time)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")
