"""Status messages the client's own system sends back: how they are checked and mapped.

A message is a JSON object `{"signal": 123 (or "reference": "BT-123"), "status": "resolved",
"note": "..."}`, POSTed to the channel's inbound address with the same two headers we sign
with (X-BewonersTeam-Timestamp, X-BewonersTeam-Signature) under the channel's secret. It is
refused when the signature is wrong, when its timestamp is more than MAX_SKEW from now either
way, and when the same signature was seen before within that window (a replay).

The remote statuses map to ours through DEFAULT_STATUS_MAP, which a channel's own
`status_map` extends or overrides.
"""

import re
import time

from ..workflow import Status

# How far a message's timestamp may lie from now; signatures are kept this long.
MAX_SKEW = 5 * 60
# The largest status message we read.
MAX_BODY_BYTES = 32 * 1024

DEFAULT_STATUS_MAP = {
    "received": Status.FORWARDED,
    "open": Status.FORWARDED,
    "forwarded": Status.FORWARDED,
    "in_progress": Status.IN_PROGRESS,
    "in_behandeling": Status.IN_PROGRESS,
    "processing": Status.IN_PROGRESS,
    "resolved": Status.RESOLVED,
    "closed": Status.RESOLVED,
    "done": Status.RESOLVED,
    "afgehandeld": Status.RESOLVED,
    "rejected": Status.NOT_APPLICABLE,
    "not_applicable": Status.NOT_APPLICABLE,
    "cancelled": Status.NOT_APPLICABLE,
    "geannuleerd": Status.NOT_APPLICABLE,
}

_REFERENCE = re.compile(r"^BT-(\d{1,18})$", re.IGNORECASE)


# The statuses a client's system can move a signal to ("new" is ours alone).
MAPPED_STATUSES = (Status.FORWARDED, Status.IN_PROGRESS, Status.RESOLVED, Status.NOT_APPLICABLE)


def normal(word) -> str:
    """A remote status as we compare it: case, spaces and dashes ignored."""
    return str(word or "").strip().lower().replace(" ", "_").replace("-", "_")


def defaults_for(status: str) -> list[str]:
    """The remote statuses every channel understands as `status`."""
    return [remote for remote, ours in DEFAULT_STATUS_MAP.items() if ours == status]


def map_status(channel, remote: str) -> str | None:
    """Our status for the remote one (the channel's own mapping first), or None."""
    mapping = {**DEFAULT_STATUS_MAP, **{normal(k): v for k, v in channel.status_map.items()}}
    found = mapping.get(normal(remote))
    return found if found in MAPPED_STATUSES else None


def signal_id_of(data: dict) -> int | None:
    """The signal the message is about: its id, or the reference BT-<id>."""
    value = data.get("signal")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    match = _REFERENCE.match(str(data.get("reference") or "").strip())
    return int(match.group(1)) if match else None


def timestamp_fresh(value: str, now: float | None = None) -> bool:
    """Whether the header's timestamp is whole seconds within MAX_SKEW of now."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        return False
    now = time.time() if now is None else now
    return abs(now - int(value)) <= MAX_SKEW
