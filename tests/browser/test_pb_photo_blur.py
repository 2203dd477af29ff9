"""A photo is blurred before the client sees it, in the browser: the client's staff find no
photo on a fresh signal (only that one is being reviewed); the project leader goes from the
portal to the signal, drags a rectangle over the "face" on the photo and saves; the page
shows the blurred photo, and the client's staff now get the blurred image only: its pixels
in the rectangle are smooth where the original's were a sharp checkerboard."""

import io
import re
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageStat
from playwright.sync_api import expect

from patrols import services as patrols
from patrols.models import SignalPhoto
from programmes.permissions import Role

from ..builders import report_signal
from .helpers import login as _login

pytestmark = pytest.mark.browser

SIZE = (800, 600)
FACE = (240, 150, 400, 330)  # left, top, right, bottom of the checkerboard "face"


def _jpeg() -> bytes:
    image = Image.new("RGB", SIZE, (150, 170, 190))
    pixels = image.load()
    for x in range(FACE[0], FACE[2]):
        for y in range(FACE[1], FACE[3]):
            pixels[x, y] = (255, 255, 255) if (x // 5 + y // 5) % 2 else (10, 10, 10)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def _spread(image, box) -> float:
    return max(ImageStat.Stat(image.crop(box).convert("L")).stddev)


INNER = (FACE[0] + 20, FACE[1] + 20, FACE[2] - 20, FACE[3] - 20)


@pytest.fixture
def photo(world, team, unscoped, django_capture_on_commit_callbacks):
    signal = report_signal(
        team, description="Iemand zet een bank bij de container", street="Lindelaan"
    )
    with django_capture_on_commit_callbacks(execute=True):
        photo, _ = patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("foto.jpg", _jpeg(), content_type="image/jpeg"),
        )
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.READY
    return photo


def _image_of(page, url) -> Image.Image:
    """The image the browser gets at `url`, with the page's session (as the page shows it)."""
    response = page.request.get(url)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.body()))
    image.load()
    return image


def test_a_project_leader_blurs_a_face_and_the_client_sees_only_the_blurred_photo(
    live_server, browser, world, photo, shot, axe, unscoped
):
    signal = photo.signal
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = context.new_page()

    # The client's staff: the signal, but no photo yet.
    _login(page, live_server.url, world.users[Role.CLIENT_STAFF])
    page.get_by_role("link", name=re.compile("^Meldingen")).first.click()
    page.locator("tr", has_text="Iemand zet een bank").get_by_role("link").first.click()
    expect(page.get_by_text("1 foto wordt door het adviesbureau bekeken")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Foto 1 bij de melding"))).to_have_count(0)
    shot(page, "pb-01-client-photo-waiting")
    context.clear_cookies()

    # The project leader: from the start page to the portal, the signal and its photo.
    _login(page, live_server.url, world.users[Role.PROJECT_LEADER], totp=True)
    page.get_by_role("link", name="Opdrachtgevers").first.click()
    page.get_by_role("link", name=world.client.name).first.click()
    page.get_by_role("link", name="Portaal bekijken").click()
    page.get_by_role("link", name=re.compile("^Meldingen")).first.click()
    page.locator("tr", has_text="Iemand zet een bank").get_by_role("link").first.click()
    expect(page.get_by_text("nog niet bekeken")).to_be_visible()
    photo_url = page.get_by_role("img", name=re.compile("Foto 1 bij de melding")).get_attribute(
        "src"
    )
    original = _image_of(page, live_server.url + photo_url)
    assert _spread(original, INNER) > 100  # the sharp checkerboard
    page.get_by_role("link", name=re.compile("^Bekijken")).click()
    expect(page.get_by_role("heading", name="Foto bekijken")).to_be_visible()
    canvas = page.locator("[data-blur-canvas]")
    expect(canvas).to_be_visible()
    # Waited for by property reads, not a polled script: the page's CSP forbids eval.
    expect(page.locator("[data-blur-image]")).to_have_js_property("complete", True)
    expect(canvas).not_to_have_js_property("width", 0)
    box = canvas.bounding_box()
    scale_x, scale_y = box["width"] / SIZE[0], box["height"] / SIZE[1]
    # Drag a rectangle a little larger than the face.
    page.mouse.move(box["x"] + (FACE[0] - 10) * scale_x, box["y"] + (FACE[1] - 10) * scale_y)
    page.mouse.down()
    page.mouse.move(box["x"] + 400 * scale_x, box["y"] + 250 * scale_y, steps=5)
    page.mouse.move(
        box["x"] + (FACE[2] + 10) * scale_x, box["y"] + (FACE[3] + 10) * scale_y, steps=5
    )
    page.mouse.up()
    expect(page.get_by_text("1 rechthoek getekend.")).to_be_visible()
    shot(page, "pb-02-leader-draws-rectangle")
    axe(page, "pb-photo-review")
    old_name = SignalPhoto.objects.get(pk=photo.pk).image.name
    page.get_by_role("button", name="Vervagen en tonen aan de opdrachtgever").click()
    expect(page.get_by_text("De gemarkeerde delen zijn vervaagd")).to_be_visible()

    # Reopened: the photo is blurred, the original is gone from storage.
    page.reload()
    expect(page.locator("[data-photo-review]")).to_have_attribute("data-photo-review", "blurred")
    expect(page.locator("[data-blur-image]")).to_have_js_property("complete", True)
    shot(page, "pb-03-leader-blurred")
    stored = SignalPhoto.objects.get(pk=photo.pk)
    assert stored.review == SignalPhoto.Review.BLURRED and stored.image.name != old_name
    assert not default_storage.exists(old_name)
    context.clear_cookies()

    # The client's staff now see the photo: the blurred one, the face unreadable.
    _login(page, live_server.url, world.users[Role.CLIENT_STAFF])
    page.get_by_role("link", name=re.compile("^Meldingen")).first.click()
    page.locator("tr", has_text="Iemand zet een bank").get_by_role("link").first.click()
    image = page.get_by_role("img", name=re.compile("Foto 1 bij de melding"))
    expect(image).to_be_visible()
    # Loaded (a property read, not a polled script: the page's CSP forbids eval).
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("i => i.naturalWidth") > 0
    expect(page.get_by_text("wordt door het adviesbureau bekeken")).to_have_count(0)
    served = _image_of(page, live_server.url + image.get_attribute("src"))
    assert served.size == original.size
    assert _spread(served, INNER) < 25
    background = (20, 20, 200, 120)  # far from the face: as it was
    assert _spread(served, background) < 5
    before = ImageStat.Stat(original.crop(background)).mean
    after = ImageStat.Stat(served.crop(background)).mean
    assert all(abs(a - b) < 6 for a, b in zip(before, after, strict=True))
    shot(page, "pb-04-client-sees-blurred")
    assert signal.pk
