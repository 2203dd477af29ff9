"""What a channel answers about one try, and what every channel sends: the signal in a few
fields a client's system can file."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from programmes.links import absolute_url

DELIVERED = "delivered"
RETRY = "retry"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """How one try went: `result` is DELIVERED, RETRY (worth trying again later) or FAILED
    (never worth another try); `status_code` the other side's HTTP status or SMTP code;
    `remote_token` a token to resolve into the reference later (Open311)."""

    result: str
    status_code: int | None = None
    detail: str = ""
    external_ref: str = ""
    # Open311: the token a system answers before it has a service request id.
    remote_token: str = ""


def reference(signal) -> str:
    """The reference a client's desk can quote back: BT-<signal id>."""
    return f"BT-{signal.pk}"


def portal_url(signal) -> str:
    return absolute_url(
        reverse(
            "patrols:portal_signal",
            kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
        )
    )


def signal_payload(signal) -> dict:
    """The signal as the client's system receives it (JSON)."""
    return {
        "signal": signal.pk,
        "reference": reference(signal),
        "category": str(signal.category),
        "status": signal.status,
        "urgent": signal.urgent,
        "description": signal.description,
        "location": {
            "latitude": None if signal.latitude is None else float(signal.latitude),
            "longitude": None if signal.longitude is None else float(signal.longitude),
            "street": signal.street,
            "house_number": signal.house_number,
        },
        "created": timezone.localtime(signal.reported_at).isoformat(),
        "due": signal.due_date.isoformat(),
        "portal_url": portal_url(signal),
    }
