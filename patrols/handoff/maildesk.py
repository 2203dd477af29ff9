"""The service desk's mailbox: one structured mail per signal, through the outbox.

The hand-off is delivered once its mail is in the outbox: from there the outbox delivers it
(retries, sweep, one Message-ID). The mail carries the reference `BT-<signal id>` in its
subject, for the desk to quote back, and the outbox row carries `handoff:<uuid>` as its ref:
the service queues it in the same transaction that marks the hand-off delivered, under the
hand-off's row lock, and looks for that ref first, so a second try never queues a second mail.

The signal's photos that are processed and reviewed by then (blurred where needed, see
`patrols.services.photo_review`) go along as attachments (at most PHOTOS_MAX). A photo
reviewed later follows in a mail of its own with the same reference, once per photo and
hand-off (`send_photo`, called when the photo is released).
"""

from programmes.mail import mail_hold, mail_queue
from programmes.models import OutboxMessage

from ..models import RELEASED_REVIEWS, SignalPhoto
from .base import DELIVERED, Outcome, portal_url, reference


def outbox_ref(handoff) -> str:
    return f"handoff:{handoff.uuid}"


# Photos one desk mail carries at most; the portal link shows them all.
PHOTOS_MAX = 3


def _photo_file(signal, photo, number: int) -> dict:
    return {
        "path": photo.image.name,
        "name": f"{reference(signal)}-foto-{number}.jpg",
        "type": "image/jpeg",
    }


def _ready_photos(signal) -> list:
    return list(
        SignalPhoto.objects.filter(
            signal=signal, status=SignalPhoto.Status.READY, review__in=RELEASED_REVIEWS
        )
        .exclude(image="")
        .order_by("pk")[:PHOTOS_MAX]
    )


def photo_ref(handoff, photo) -> str:
    return f"handoff:{handoff.uuid}:photo:{photo.pk}"


def send(handoff) -> Outcome:
    """Queue the desk's mail (once); call inside the transaction that holds the hand-off's
    lock and records the outcome."""
    signal = handoff.signal
    ref = outbox_ref(handoff)
    if not OutboxMessage.objects.filter(ref=ref).exists():
        photos = _ready_photos(signal)
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
                    "photos": len(photos),
                },
                files=[_photo_file(signal, p, i) for i, p in enumerate(photos, 1)],
            )
    return Outcome(DELIVERED, external_ref=reference(signal))


def send_photo(handoff, photo) -> bool:
    """Mail the desk a photo that was not ready when the signal's mail went out, quoting the
    signal's reference; once per photo and hand-off. True when a mail was queued."""
    signal = handoff.signal
    ref = photo_ref(handoff, photo)
    if OutboxMessage.objects.filter(ref=ref).exists():
        return False
    first = OutboxMessage.objects.filter(ref=outbox_ref(handoff)).values_list("files", flat=True)
    if any(item.get("path") == photo.image.name for files in first for item in files or ()):
        return False  # it went along with the signal's own mail
    number = SignalPhoto.objects.filter(signal=signal, pk__lte=photo.pk).count()
    with mail_hold(ref=ref, seconds=0):
        mail_queue(
            organisation=signal.organisation,
            programme=signal.programme,
            to=handoff.channel.target,
            to_name=handoff.channel.name,
            template="patrols/handoff_desk_photo",
            context={"signal": signal, "reference": reference(signal), "link": portal_url(signal)},
            files=[_photo_file(signal, photo, number)],
        )
    return True
