"""The consultancy's review of a signal's photo before the client sees it.

A photo from the street may show a face, a house number or a number plate. The choice made
here: the client's staff (and the client's service desk, by mail) get a photo only once a
project leader or the consultancy admin, or the member who took it, has reviewed it: blurred
the parts that identify somebody (`signal_photo_blur`) or said there is nothing to blur
(`signal_photo_clear`). Showing it first and blurring later would show the client the very
thing the blur is for. Until then the client's page says a photo is waiting for review.

Blurring is done here, on the server (Pillow): each rectangle (normalised 0..1 to the image,
at most MAX_REGIONS) is pixelated into coarse blocks and then smoothed, so a face or a number
cannot be read back. The blurred JPEG is written under a new name, the row points to it in
one transaction, and the previous file is deleted once that commits: the original is gone
from storage, and no copy of it is left (photos have no thumbnails or other variants; the
upload as sent was deleted when the photo was processed). A reader always gets a whole file,
the old or the new one, never half of one.
"""

import io
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageFilter, ImageOps

from programmes.audit import audit_log
from programmes.files import file_delete_on_commit
from programmes.models import User
from programmes.permissions import CONSULTANCY_ROLES

from ..models import SignalPhoto
from .handoff import handoff_photo_follow

logger = logging.getLogger(__name__)

# At most this many rectangles in one go (a photo with more than this is better not shown).
MAX_REGIONS = 20
# A rectangle narrower or lower than this part of the image is a slip of the mouse.
MIN_SIDE = 0.005
# The size of a pixelation block: a part of the rectangle's shorter side, at least this many
# pixels. Eight blocks across a face leave nothing to recognise.
BLOCKS_ACROSS = 8
MIN_BLOCK_PX = 6

Review = SignalPhoto.Review


def may_review(*, user, photo: SignalPhoto) -> bool:
    """Who may blur a photo or release it: the consultancy (the view checks which programmes
    the user reads) and the member who took it."""
    if getattr(user, "role", None) in CONSULTANCY_ROLES:
        return True
    return photo.signal.reported_by_id is not None and photo.signal.reported_by_id == user.pk


def clean_regions(regions) -> list[tuple[float, float, float, float]]:
    """The rectangles as (x, y, width, height) fractions of the image, clipped to it;
    ValidationError for anything else (no rectangle, too many, not numbers)."""
    if not isinstance(regions, list | tuple) or not regions:
        raise ValidationError(_("Draw a rectangle over each part to blur."), code="no_regions")
    if len(regions) > MAX_REGIONS:
        raise ValidationError(
            ngettext("Draw at most %(n)s rectangle.", "Draw at most %(n)s rectangles.", MAX_REGIONS)
            % {"n": MAX_REGIONS},
            code="too_many_regions",
        )
    cleaned = []
    for region in regions:
        try:
            x, y, w, h = (float(v) for v in region)
        except (TypeError, ValueError):
            raise ValidationError(
                _("The rectangles could not be read."), code="bad_region"
            ) from None
        if not all(0.0 <= v <= 1.0 for v in (x, y)) or not all(0.0 < v <= 1.0 for v in (w, h)):
            raise ValidationError(_("The rectangles could not be read."), code="bad_region")
        w, h = min(w, 1.0 - x), min(h, 1.0 - y)
        if w < MIN_SIDE or h < MIN_SIDE:
            continue
        cleaned.append((x, y, w, h))
    if not cleaned:
        raise ValidationError(_("Draw a rectangle over each part to blur."), code="no_regions")
    return cleaned


def blur_image(image: Image.Image, regions) -> Image.Image:
    """`image` with each region pixelated and smoothed (in place, and returned)."""
    width, height = image.size
    for x, y, w, h in regions:
        box = (
            max(0, int(x * width)),
            max(0, int(y * height)),
            min(width, int(round((x + w) * width))),
            min(height, int(round((y + h) * height))),
        )
        bw, bh = box[2] - box[0], box[3] - box[1]
        if bw < 1 or bh < 1:
            continue
        block = max(MIN_BLOCK_PX, min(bw, bh) // BLOCKS_ACROSS)
        part = image.crop(box)
        small = part.resize((max(1, bw // block), max(1, bh // block)), Image.Resampling.BOX)
        part = small.resize((bw, bh), Image.Resampling.NEAREST)
        part = part.filter(ImageFilter.GaussianBlur(radius=max(2, block // 2)))
        image.paste(part, box)
    return image


def _release(*, actor: User, photo: SignalPhoto, review: str, fields: dict, data: dict):
    was_released = photo.released
    fields |= {"review": review, "reviewed_at": timezone.now(), "reviewed_by": actor}
    SignalPhoto.objects.filter(pk=photo.pk).update(**fields)
    for name, value in fields.items():
        setattr(photo, name, value)
    audit_log(
        actor=actor,
        organisation=photo.signal.organisation,
        action=f"signal.photo_{review}",
        obj=photo.signal,
        data={"photo": str(photo.uuid), **data},
    )
    if not was_released:
        handoff_photo_follow(photo=photo)  # a service desk that has the signal gets it now


def _ready_locked(*, actor: User, photo: SignalPhoto) -> SignalPhoto:
    if not may_review(user=actor, photo=photo):
        raise PermissionDenied
    locked = SignalPhoto.objects.select_for_update().filter(pk=photo.pk).first()
    if locked is None or locked.status != SignalPhoto.Status.READY or not locked.image:
        raise ValidationError(
            _("This photo is not processed yet: try again in a moment."), code="not_ready"
        )
    locked.signal = photo.signal
    return locked


@transaction.atomic
def signal_photo_blur(*, actor: User, photo: SignalPhoto, regions) -> SignalPhoto:
    """Blur `regions` of a processed photo (`clean_regions`), keep only the blurred image
    and release it to the client. Returns the photo as it now is."""
    regions = clean_regions(regions)
    photo = _ready_locked(actor=actor, photo=photo)
    old_name = photo.image.name
    storage = photo.image.storage
    with storage.open(old_name, "rb") as fh, Image.open(fh) as source:
        image = ImageOps.exif_transpose(source).convert("RGB")
    blur_image(image, regions)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    field = photo.image.field
    new_name = storage.save(
        field.generate_filename(photo, f"{photo.uuid}.jpg"), ContentFile(out.getvalue())
    )

    try:
        _release(
            actor=actor,
            photo=photo,
            review=Review.BLURRED,
            fields={"image": new_name, "width": image.width, "height": image.height},
            data={"regions": len(regions)},
        )
    except BaseException:
        try:  # no row points to the new file
            storage.delete(new_name)
        except OSError:
            logger.warning("could not remove the unused file %s", new_name, exc_info=True)
        raise
    file_delete_on_commit(old_name)
    return photo


@transaction.atomic
def signal_photo_clear(*, actor: User, photo: SignalPhoto) -> SignalPhoto:
    """Release a processed photo to the client as it is: nothing on it to blur."""
    photo = _ready_locked(actor=actor, photo=photo)
    if photo.review == Review.CLEAR:
        return photo
    _release(actor=actor, photo=photo, review=Review.CLEAR, fields={}, data={})
    return photo
