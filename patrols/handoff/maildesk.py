"""The service desk's mailbox: one structured mail per signal, through the outbox.

The hand-off is delivered once its mail is in the outbox: from there the outbox delivers it
(retries, sweep, one Message-ID). The mail carries the reference `BT-<signal id>` in its
subject, for the desk to quote back, and the outbox row carries `handoff:<uuid>` as its ref:
the service queues it in the same transaction that marks the hand-off delivered, under the
hand-off's row lock, and looks for that ref first, so a second try never queues a second mail.

The photos are not attached (the outbox attaches generated documents only); the mail says how
many processed photos the signal has and links to the signal in the portal.
"""

from programmes.mail import mail_hold, mail_queue
from programmes.models import OutboxMessage

from ..models import SignalPhoto
from .base import DELIVERED, Outcome, portal_url, reference


def outbox_ref(handoff) -> str:
    return f"handoff:{handoff.uuid}"


def _ready_photos(signal) -> int:
    photos = SignalPhoto.objects.filter(signal=signal)
    if hasattr(SignalPhoto, "Status"):  # photos processed in the background
        photos = photos.filter(status=SignalPhoto.Status.READY)
    return photos.count()


def send(handoff) -> Outcome:
    """Queue the desk's mail (once); call inside the transaction that holds the hand-off's
    lock and records the outcome."""
    signal = handoff.signal
    ref = outbox_ref(handoff)
    if not OutboxMessage.objects.filter(ref=ref).exists():
        with mail_hold(ref=ref, seconds=0):
            mail_queue(
                organisation=signal.organisation,
                programme=signal.programme,
                to=handoff.channel.target,
                to_name=handoff.channel.name,
                template="patrols/handoff_desk",
                context={
                    "signal": signal,
                    "reference": reference(signal),
                    "link": portal_url(signal),
                    "photos": _ready_photos(signal),
                },
            )
    return Outcome(DELIVERED, external_ref=reference(signal))
