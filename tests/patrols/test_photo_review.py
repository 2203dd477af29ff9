"""A signal's photo reaches the client only after the consultancy reviewed it: blurred where it
shows a face, a house number or a number plate (the server blurs, keeps only the blurred
image and deletes the original), or released as it is. Until then the client's staff get no
photo at all, not even by its address, and the service desk gets none by mail."""

import io
import json
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageStat

from patrols import services as patrols
from patrols.models import SignalPhoto
from patrols.services import photo_review
from programmes.models import AuditEntry, ReadEntry
from programmes.permissions import Role

from ..builders import report_signal

pytestmark = pytest.mark.django_db

# The "face": a fine checkerboard in the top-left quarter of a grey photo.
SIZE = (800, 600)
FACE = (0.1, 0.1, 0.3, 0.3)  # x, y, width, height as fractions


def _jpeg() -> bytes:
    image = Image.new("RGB", SIZE, (128, 128, 128))
    pixels = image.load()
    for x in range(80, 320):
        for y in range(60, 240):
            pixels[x, y] = (255, 255, 255) if (x // 4 + y // 4) % 2 else (0, 0, 0)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def _box(size, region=FACE, inset=0.02):
    """The pixel box of `region` a little inside its edges (the blur's borders left out)."""
    w, h = size
    x, y, rw, rh = region
    return (
        int((x + inset) * w),
        int((y + inset) * h),
        int((x + rw - inset) * w),
        int((y + rh - inset) * h),
    )


def _spread(image, box) -> float:
    """How much the pixels of `box` differ: the checkerboard's is high, a blurred one's low."""
    return max(ImageStat.Stat(image.crop(box).convert("L")).stddev)


@pytest.fixture
def photo(team, django_capture_on_commit_callbacks):
    signal = report_signal(team, description="Iemand bij de container")
    upload = SimpleUploadedFile("foto.jpg", _jpeg(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        photo, _created = patrols.signal_photo_add(
            actor=team[1], signal=signal, uuid=uuid.uuid4(), upload=upload
        )
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.READY
    assert photo.review == SignalPhoto.Review.PENDING
    return photo


def _urls(world, photo):
    kwargs = {"org": world.client.slug, "signal_pk": photo.signal_id, "photo_pk": photo.pk}
    return {
        "signal": reverse(
            "patrols:portal_signal",
            kwargs={"org": world.client.slug, "signal_pk": photo.signal_id},
        ),
        "photo": reverse("patrols:portal_signal_photo", kwargs=kwargs),
        "review": reverse("patrols:portal_signal_photo_review", kwargs=kwargs),
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _signal_folder_files(photo) -> list[str]:
    folder = photo.image.name.rsplit("/", 1)[0]
    _dirs, files = default_storage.listdir(folder)
    return [f for f in files if f.startswith(str(photo.uuid))]


def test_the_client_sees_no_photo_before_it_is_reviewed(client, world, photo):
    urls = _urls(world, photo)
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(urls["signal"]).content.decode()
    assert urls["photo"] not in page
    assert "1 foto wordt door het adviesbureau bekeken" in page
    assert client.get(urls["photo"]).status_code == 404  # not even by its address
    # The project leader sees it, with the way to review it.
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(urls["signal"]).content.decode()
    assert urls["photo"] in page and urls["review"] in page and "nog niet bekeken" in page
    answer = client.get(urls["photo"])
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"


def test_blurring_keeps_only_the_blurred_photo_and_releases_it(
    client, world, photo, django_capture_on_commit_callbacks
):
    urls = _urls(world, photo)
    original_name = photo.image.name
    with default_storage.open(original_name, "rb") as fh:
        original = Image.open(io.BytesIO(fh.read()))
        original.load()
    assert _spread(original, _box(SIZE)) > 100  # the checkerboard, sharp

    leader = world.users[Role.PROJECT_LEADER]
    client.force_login(leader)
    assert client.get(urls["review"]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes on commit
        response = client.post(urls["review"], {"blur": "1", "regions": json.dumps([FACE])})
    assert response.status_code == 302

    photo.refresh_from_db()
    assert photo.review == SignalPhoto.Review.BLURRED
    assert photo.reviewed_by == leader and photo.reviewed_at is not None
    assert photo.image.name != original_name
    # The original is gone from storage, and no other copy of this photo is left.
    assert not default_storage.exists(original_name)
    assert _signal_folder_files(photo) == [photo.image.name.rsplit("/", 1)[-1]]
    assert not photo.original
    entry = AuditEntry.objects.get(action="signal.photo_blurred")
    assert entry.actor == leader and entry.data["regions"] == 1

    # The client now sees it: the blurred image, the face unreadable, the rest as it was.
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert urls["photo"] in client.get(urls["signal"]).content.decode()
    answer = client.get(urls["photo"])
    assert answer.status_code == 200
    body = _body(answer)
    served = Image.open(io.BytesIO(body))
    with default_storage.open(photo.image.name, "rb") as fh:
        assert body == fh.read()
    assert _spread(served, _box(SIZE)) < 25
    outside = (500, 350, 780, 580)
    assert _spread(served, outside) < 5 and _spread(original, outside) < 5
    grey = ImageStat.Stat(served.crop(outside)).mean
    assert all(abs(channel - 128) < 6 for channel in grey)


def test_nothing_to_blur_releases_the_photo_as_it_is(client, world, photo):
    urls = _urls(world, photo)
    name = photo.image.name
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    client.post(urls["review"], {"clear": "1"})
    photo.refresh_from_db()
    assert photo.review == SignalPhoto.Review.CLEAR and photo.image.name == name
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(urls["photo"]).status_code == 200


@pytest.mark.parametrize(
    "regions, message",
    [
        ("", "Teken een rechthoek"),
        ("[]", "Teken een rechthoek"),
        ("nonsense", "De rechthoeken konden niet worden gelezen"),
        (json.dumps([[0.1, 0.1, "a", 0.2]]), "De rechthoeken konden niet worden gelezen"),
        (json.dumps([[0.1, 0.1, 2, 0.2]]), "De rechthoeken konden niet worden gelezen"),
        (json.dumps([[0.5, 0.5, 0.1]]), "De rechthoeken konden niet worden gelezen"),
        (json.dumps([[0.01 * i, 0.01, 0.05, 0.05] for i in range(21)]), "Teken ten hoogste 20"),
        ("[" + "1," * 3000 + "1]", "De rechthoeken konden niet worden gelezen"),
    ],
)
def test_bad_rectangles_are_refused_and_nothing_changes(client, world, photo, regions, message):
    urls = _urls(world, photo)
    name = photo.image.name
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.post(urls["review"], {"blur": "1", "regions": regions}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    photo.refresh_from_db()
    assert photo.review == SignalPhoto.Review.PENDING and photo.image.name == name
    assert default_storage.exists(name)


def test_the_client_cannot_review(client, world, photo):
    urls = _urls(world, photo)
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.post(urls["review"], {"clear": "1"}).status_code == 403
    photo.refresh_from_db()
    assert photo.review == SignalPhoto.Review.PENDING


def test_a_blur_within_the_bounds_blurs_twenty_rectangles(photo, world):
    regions = [[0.04 * i, 0.5, 0.04, 0.1] for i in range(20)]
    photo_review.signal_photo_blur(
        actor=world.users[Role.PROJECT_LEADER], photo=photo, regions=regions
    )
    photo.refresh_from_db()
    assert photo.review == SignalPhoto.Review.BLURRED


def test_looking_at_a_photo_is_in_the_read_log(client, world, photo):
    urls = _urls(world, photo)
    client.force_login(world.users[Role.PROJECT_LEADER])
    client.get(urls["photo"])
    (entry,) = ReadEntry.objects.filter(what=ReadEntry.What.PHOTO)
    assert entry.reader == world.users[Role.PROJECT_LEADER]
    assert (entry.subject_type, entry.subject_id) == ("patrols.signalphoto", str(photo.pk))
    assert entry.where == urls["photo"] and entry.at is not None
