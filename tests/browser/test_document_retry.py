"""A PDF on the client's portal page: while it is being made the page looks again after 1, 2,
4 ... seconds instead of every second; once it failed it stops looking and offers "try again",
which makes it."""

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.models import Document
from programmes.permissions import Role

from .helpers import login

pytestmark = pytest.mark.browser


def test_the_status_backs_off_and_a_failed_pdf_is_made_again(
    live_server, page, world, shot, unscoped
):
    staff = world.users[Role.CLIENT_STAFF]
    programme = services.programme_create(
        actor=world.users[Role.PROJECT_LEADER],
        client=world.client,
        project_leaders=[world.users[Role.PROJECT_LEADER]],
        client_contacts=[staff],
        name="BewonersTeam Lindehof",
        neighbourhood="Lindehof",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    # Asked for while the broker was away: pending, no task on its way.
    document = Document.objects.create(organisation=world.client, programme=programme, kind="plan")
    looks = []
    page.on(
        "request",
        lambda request: (
            looks.append(time.monotonic()) if f"/{document.pk}/?poll=" in request.url else None
        ),
    )
    login(page, live_server.url, staff)
    page.goto(f"{live_server.url}/portal/{world.client.slug}/programmes/{programme.pk}/")
    expect(page.get_by_text("Wordt gemaakt… dit kan even duren.")).to_be_visible()
    page.wait_for_timeout(8000)
    # After 1, 2 and 4 seconds: a few looks in eight seconds, each pause longer than the last.
    assert 2 <= len(looks) <= 4, looks
    pauses = [b - a for a, b in zip(looks, looks[1:], strict=False)]
    assert all(b > a for a, b in zip(pauses, pauses[1:], strict=False)), pauses

    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.FAILED, attempts=5, error="Gave up after 5 attempts."
    )
    expect(page.get_by_text("Het maken van de pdf is mislukt.")).to_be_visible(timeout=30000)
    shot(page, "document-failed-try-again")
    seen = len(looks)
    page.wait_for_timeout(3000)
    assert len(looks) == seen  # a failed document is not asked after again

    page.get_by_role("button", name="Probeer opnieuw").click()
    expect(page.get_by_role("link", name="PDF downloaden")).to_be_visible(timeout=30000)
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 1
