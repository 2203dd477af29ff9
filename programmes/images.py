"""Checking and re-encoding uploaded images: the file's content decides, not its name.

A re-encoded image carries no metadata (EXIF, including location) and no payload hidden after
the image data.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 25_000_000


def reencode_image(
    upload, *, max_bytes: int, max_side: int, allowed=("PNG", "JPEG", "WEBP")
) -> SimpleUploadedFile:
    """Validate `upload` as an image and return it re-encoded as PNG, at most `max_side` px."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
        if fmt not in allowed:
            raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="invalid_image")
        if width * height > MAX_PIXELS:
            raise ValidationError(_("The image has too many pixels."))
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we can read. Upload a PNG, JPEG or WebP image."),
            code="invalid_image",
        ) from exc
    stem = (upload.name or "image").rsplit(".", 1)[0][:50]
    return SimpleUploadedFile(f"{stem}.png", out.getvalue(), content_type="image/png")
