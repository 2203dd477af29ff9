"""Re-encoded photos carry pixels only: no EXIF (location), XMP, comments, PNG text chunks or
colour profile, whatever format came in (JPEG, PNG, HEIC) and whichever went out."""

import io
import uuid

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from patrols import services as patrols
from programmes.images import reencode_image

from ..builders import report_signal

SECRETS = [b"SECRETCAM", b"SECRETCOMMENT", b"SECRETXMP", b"SECRETTEXT", b"SECRETITXT"]
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SECRETXMP"/></rdf:RDF>'
    b"</x:xmpmeta>"
)


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SECRETCAM"  # camera make
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (5.0, 7.0, 15.0)}  # GPS
    return exif.tobytes()


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "#558855").save(
        out, "JPEG", exif=_exif(), xmp=XMP, comment=b"SECRETCOMMENT", icc_profile=_icc()
    )
    return out.getvalue()


def _png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRETTEXT")
    info.add_text("Software", "SECRETCOMMENT", zip=True)  # a zTXt chunk
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add_itxt("Description", "SECRETITXT")
    out = io.BytesIO()
    Image.new("RGBA", (120, 90), "#558855").save(
        out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_icc()
    )
    return out.getvalue()


def _heic() -> bytes:
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "#558855").save(out, "HEIF", exif=_exif(), xmp=XMP)
    return out.getvalue()


MAKERS = {"jpg": _jpeg, "png": _png, "heic": _heic}


def _assert_bare(data: bytes):
    assert [s for s in SECRETS if s in data] == []
    assert b"http://ns.adobe.com/xap/1.0/" not in data and b"Exif\x00\x00" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert not set(image.info) & {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"}
    assert not getattr(image, "text", {})
    if image.format == "JPEG":
        markers = image.applist  # APPn segments: only the JFIF header may remain
        assert [name for name, _ in markers if name != "APP0"] == []


@pytest.mark.parametrize("kind", ["jpg", "png", "heic"])
@pytest.mark.parametrize("output", ["JPEG", "PNG"])
def test_reencoded_image_has_no_metadata(kind, output):
    raw = MAKERS[kind]()
    found = [s for s in SECRETS if s in raw]
    assert found, "the test upload must carry the metadata it checks for"
    upload = SimpleUploadedFile(f"photo.{kind}", raw)
    result = reencode_image(
        upload,
        max_bytes=10 * 1024 * 1024,
        max_side=100,
        allowed=("JPEG", "PNG", "HEIF"),
        output=output,
    ).read()
    _assert_bare(result)


def test_signal_photo_from_a_phone_is_stored_bare(team, django_capture_on_commit_callbacks):
    signal = report_signal(team, description="Zwerfvuil bij de speeltuin")
    # Stored as sent, then re-encoded by a task queued after commit (here: the block's end).
    with django_capture_on_commit_callbacks(execute=True):
        photo, _ = patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("IMG_0001.heic", _heic(), content_type="image/heic"),
        )
    photo.refresh_from_db()
    with photo.image.open("rb") as fh:
        _assert_bare(fh.read())
