"""The signed webhook: POST the signal as JSON to the channel's URL, signed with its secret.

Headers: X-BewonersTeam-Timestamp (seconds since the epoch), X-BewonersTeam-Signature
(`sha256=` + HMAC-SHA256 of `<timestamp>.<body>`), X-BewonersTeam-Delivery (the hand-off's
uuid: the same on every try, so a receiver can recognise a resend).

Only the configured address is called: the host is resolved once, checked to be public
(`targets.check_public`) and connected to at that address (no second look-up a DNS answer
could change in between), and a redirect is not followed. Connecting may take 3 s, the answer
10 s. 2xx is delivered; 408, 429, 5xx, a timeout or a connection error is worth another try;
any other answer (4xx, a redirect) will not get better by trying again.
"""

import http.client
import json
import socket
import ssl
import time
from urllib.parse import urlsplit

from . import secrets
from .base import DELIVERED, FAILED, RETRY, Outcome, signal_payload
from .targets import TargetRefused, check_public

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10
# Statuses below 500 that say "later" rather than "never".
RETRY_STATUSES = frozenset({408, 425, 429})
# The most of an answer we read (an id the receiver gives back).
ANSWER_MAX_BYTES = 16 * 1024


def _resolve(host: str, port: int) -> tuple:
    check_public(host, port)
    info = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)[0]
    return info[0], info[4]


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the address resolved and checked before, with the two timeouts."""

    def __init__(self, host, port, *, family, address, tls: bool):
        super().__init__(host, port, timeout=READ_TIMEOUT)
        self._family, self._address, self._tls = family, address, tls

    def connect(self):
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT)
        try:
            sock.connect(self._address)
            sock.settimeout(READ_TIMEOUT)
            if self._tls:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def post_signed(*, url: str, secret: str, body: bytes, delivery: str = "") -> tuple[int, bytes]:
    """POST `body` to `url`, signed; (status, the start of the answer). Raises OSError (and
    TargetRefused) when no answer came."""
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    family, address = _resolve(parts.hostname, port)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "BewonersTeam-Handoff/1",
        secrets.TIMESTAMP_HEADER: timestamp,
        secrets.SIGNATURE_HEADER: secrets.sign(secret, timestamp, body),
    }
    if delivery:
        headers[secrets.DELIVERY_HEADER] = delivery
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection = _PinnedConnection(parts.hostname, port, family=family, address=address, tls=tls)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(ANSWER_MAX_BYTES)
    finally:
        connection.close()


def _remote_id(answer: bytes) -> str:
    """The receiver's own id for what it filed, when its JSON answer gives one."""
    try:
        data = json.loads(answer.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict):
        value = data.get("id") or data.get("reference") or ""
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)[:200]
    return ""


def classify(status: int) -> str:
    if 200 <= status < 300:
        return DELIVERED
    if status >= 500 or status in RETRY_STATUSES:
        return RETRY
    return FAILED


def send(handoff) -> Outcome:
    """Send one hand-off to its webhook; never raises for what the other side did."""
    channel = handoff.channel
    try:
        secret = secrets.decrypt(channel.secret_encrypted)
    except secrets.SecretUnavailable:
        return Outcome(FAILED, detail="the channel's secret cannot be read; make a new channel")
    body = json.dumps(signal_payload(handoff.signal), separators=(",", ":")).encode()
    try:
        status, answer = post_signed(
            url=channel.target, secret=secret, body=body, delivery=str(handoff.uuid)
        )
    except TargetRefused as exc:
        return Outcome(FAILED, detail=str(exc))
    except TimeoutError:
        return Outcome(RETRY, detail="no answer in time")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(RETRY, detail=f"{type(exc).__name__}: {exc}"[:300])
    result = classify(status)
    detail = "" if result == DELIVERED else f"HTTP {status}"
    if 300 <= status < 400:
        detail = f"HTTP {status}: redirects are not followed"
    return Outcome(
        result,
        status_code=status,
        detail=detail,
        external_ref=_remote_id(answer) if result == DELIVERED else "",
    )
