"""Checking and re-encoding uploaded images: the file's content decides, not its name.

A re-encoded image carries no metadata (EXIF, including location; XMP; comments; PNG text
chunks; the colour profile) and no payload hidden after the image data: every upload (logos,
campaign photos, team photos, signal photos from the phone, HEIC included) goes through
`reencode_image`.
"""

import io
from contextlib import contextmanager

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_PIXELS = 25_000_000


FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "HEIF": "HEIC"}


def _kinds(allowed) -> str:
    return ", ".join(FORMAT_NAMES.get(f, f) for f in allowed)


def _unreadable(allowed) -> ValidationError:
    return ValidationError(
        _(
            "This file is not an image we can read. Upload an image of one of these kinds: "
            "%(kinds)s."
        )
        % {"kinds": _kinds(allowed)},
        code="invalid_image",
    )


def inspect_image(
    upload, *, max_bytes: int, allowed=("PNG", "JPEG", "WEBP")
) -> tuple[str, int, int]:
    """Check `upload` by its size and its header alone (no pixel is decoded, so this is cheap
    enough for a request): return (format, width, height), or raise ValidationError with a
    message for the person who sent it. A file that passes may still turn out broken when its
    pixels are read (`reencode_image`)."""
    if "HEIF" in allowed:
        pillow_heif.register_heif_opener()
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:  # before reading any pixel data
                raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
            probe.verify()
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _unreadable(allowed) from exc
    finally:
        upload.seek(0)
    if fmt not in allowed:
        raise ValidationError(
            _("Upload an image of one of these kinds: %(kinds)s.") % {"kinds": _kinds(allowed)},
            code="invalid_image",
        )
    return fmt, width, height


@contextmanager
def _whole_images_only():
    """Refuse an image whose data ends before its pixels do. WeasyPrint switches Pillow's
    process-wide LOAD_TRUNCATED_IMAGES on when it is imported (a worker that rendered a PDF),
    which would store a cut-off upload as a half-grey picture instead of refusing it."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def reencode_image(
    upload, *, max_bytes: int, max_side: int, allowed=("PNG", "JPEG", "WEBP"), output="PNG"
) -> SimpleUploadedFile:
    """Validate `upload` as an image and return it re-encoded (`output`: PNG or JPEG), at most
    `max_side` pixels on its longest side."""
    inspect_image(upload, max_bytes=max_bytes, allowed=allowed)
    try:
        upload.seek(0)
        with _whole_images_only(), Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            if output == "JPEG":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            # Pillow writes some of what it read back out (a JPEG's comment, for one): drop
            # all of it, the colour profile too, so only pixels leave this function.
            image.info = {}
            out = io.BytesIO()
            if output == "JPEG":
                image.save(out, format="JPEG", quality=85, optimize=True)
            else:
                image.save(out, format="PNG", optimize=True)
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _unreadable(allowed) from exc
    stem = (upload.name or "image").rsplit(".", 1)[0][:50]
    ext, mime = ("jpg", "image/jpeg") if output == "JPEG" else ("png", "image/png")
    return SimpleUploadedFile(f"{stem}.{ext}", out.getvalue(), content_type=mime)
