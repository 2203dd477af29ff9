"""The member's own signals on the phone: the list, one signal with its history, the client's
note and photos; never another member's signal."""

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from patrols import services as patrols
from programmes import services
from programmes.permissions import Role

from ..factories import UserFactory


def _report(team, actor=None, n=1, **extra):
    programme, member, categories = team
    made = []
    for i in range(n):
        data = dict(
            actor=actor or member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories[i % 3],
            description=f"Melding {i}",
            reported_at=timezone.now() - dt.timedelta(minutes=i),
            street="Lindelaan",
            house_number=str(i + 1),
        )
        data.update(extra)
        made.append(patrols.signal_report(**data)[0])
    return made


def _photo(signal, actor):
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(jpeg, format="JPEG")
    # The re-encoding task is queued after commit: run it here, as a worker would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo, _ = patrols.signal_photo_add(
            actor=actor,
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("p.jpg", jpeg.getvalue(), content_type="image/jpeg"),
        )
    photo.refresh_from_db()
    return photo


def _other_member(world, team):
    programme = team[0]
    other = UserFactory(
        email="buurman@noord.example", role=Role.TEAM_MEMBER, organisation=world.client
    )
    roster = services.team_member_add(
        actor=world.users[Role.PROJECT_LEADER], programme=programme, user=other
    )
    services.team_member_set_ready(
        actor=world.users[Role.PROJECT_LEADER], member=roster, ready=True
    )
    return other


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.client.slug, **kwargs})


def test_list_shows_only_own_signals(client, world, team):
    other = _other_member(world, team)
    (mine,) = _report(team, description="Mijn matras")
    (theirs,) = _report(team, actor=other, description="Buurmans fiets")
    client.force_login(team[1])
    page = client.get(_url(world, "patrols:team_signals")).content.decode()
    assert "Mijn matras" in page and "Buurmans fiets" not in page
    assert _url(world, "patrols:team_signal", signal_pk=mine.pk) in page
    assert _url(world, "patrols:team_signal", signal_pk=theirs.pk) not in page
    home = client.get(_url(world, "patrols:team_home")).content.decode()
    assert _url(world, "patrols:team_signals") in home  # reachable from the team home
    assert _url(world, "patrols:team_signal", signal_pk=mine.pk) in home


def test_another_members_signal_and_photo_are_404(client, world, team):
    other = _other_member(world, team)
    (theirs,) = _report(team, actor=other)
    photo = _photo(theirs, other)
    client.force_login(team[1])
    assert client.get(_url(world, "patrols:team_signal", signal_pk=theirs.pk)).status_code == 404
    url = _url(world, "patrols:team_signal_photo", signal_pk=theirs.pk, photo_pk=photo.pk)
    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(_url(world, "patrols:team_signal", signal_pk=theirs.pk)).status_code == 200
    assert client.get(url).status_code == 200
    # Client staff follow signals up in the portal, not here.
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(_url(world, "patrols:team_signal", signal_pk=theirs.pk)).status_code == 403


def test_signal_page_shows_history_note_photos_time_and_place(client, world, team):
    (signal,) = _report(team, description="Bank naast de container", urgent=True)
    photo = _photo(signal, team[1])
    staff = world.users[Role.CLIENT_STAFF]
    patrols.signal_transition(actor=staff, signal=signal, status="in_progress")
    patrols.signal_transition(
        actor=staff, signal=signal, status="resolved", text="Opgehaald door de reiniging."
    )
    client.force_login(team[1])
    response = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Opgehaald door de reiniging." in page
    assert f"Notitie van {world.client.name}" in page
    for label in ("Nieuw", "In behandeling", "Opgelost"):
        assert label in page
    assert page.index("Nieuw") < page.index("In behandeling")  # history oldest first
    assert "Lindelaan 1" in page and "dringend" in page
    local = timezone.localtime(signal.reported_at)
    assert f"{local:%H:%M}" in page  # when it was made, in Amsterdam time
    photo_url = _url(world, "patrols:team_signal_photo", signal_pk=signal.pk, photo_pk=photo.pk)
    assert photo_url in page
    got = client.get(photo_url)
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    listing = client.get(_url(world, "patrols:team_signals")).content.decode()
    assert "Opgelost" in listing and "1 foto" in listing


def test_signal_without_place_or_description(client, world, team):
    (signal,) = _report(team, description="", street="", house_number="")
    client.force_login(team[1])
    page = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).content.decode()
    assert "Plaats niet opgegeven" in page


def test_list_is_paginated_and_queries_do_not_grow(client, world, team):
    client.force_login(team[1])
    url = _url(world, "patrols:team_signals")
    _report(team, n=2)

    def count(u):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(u)
        assert response.status_code == 200
        return len(ctx), response.content.decode()

    small, _ = count(url)
    _report(team, n=43)
    large, first = count(url)
    assert large == small
    assert first.count('signal-card"') == 20
    assert "Pagina 1 van 3" in first and "?page=2" in first
    _, last = count(url + "?page=3")
    assert "Pagina 3 van 3" in last and last.count('signal-card"') == 5
    assert client.get(url + "?page=999").status_code == 200  # a wrong page is the last one
    assert client.get(url + "?page=x").status_code == 200


def test_detail_queries_do_not_grow_with_history(client, world, team):
    (signal,) = _report(team)
    staff = world.users[Role.CLIENT_STAFF]
    url = _url(world, "patrols:team_signal", signal_pk=signal.pk)
    client.force_login(team[1])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    small = len(ctx)
    for status in ("in_progress", "forwarded", "in_progress", "forwarded"):
        patrols.signal_transition(actor=staff, signal=signal, status=status, text="Bezig")
    _photo(signal, team[1])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx) <= small + 1  # the photos' query runs once there are photos


def test_service_worker_has_an_offline_page(client, world):
    body = client.get(reverse("patrols:team_sw")).content.decode()
    assert "__OFFLINE_PAGE__" not in body and "Geen verbinding" in body


def test_resolved_mail_links_to_the_signal(
    client, world, team, mailoutbox, django_capture_on_commit_callbacks
):
    (signal,) = _report(team)
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF], signal=signal, status="resolved", text="Klaar"
        )
    path = _url(world, "patrols:team_signal", signal_pk=signal.pk)
    (mail,) = mailoutbox
    assert path in mail.body and path in mail.alternatives[0][0]
    client.force_login(team[1])
    assert client.get(path).status_code == 200
