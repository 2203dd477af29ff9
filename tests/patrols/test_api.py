"""The phone app's endpoints: stored once per phone-made id, 409 on a different record."""

import io
import json
import uuid

from django.urls import reverse
from django.utils import timezone
from PIL import Image

from patrols.models import Round, Signal, SignalPhoto
from programmes.permissions import Role


def _post(client, name, world, body, **kwargs):
    return client.post(
        reverse(name, kwargs={"org": world.client.slug, **kwargs}),
        data=json.dumps(body),
        content_type="application/json",
    )


def _signal_body(team, **extra):
    programme, _, categories = team
    body = {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "category": categories[0].pk,
        "description": "Grofvuil naast de container",
        "street": "Lindelaan",
        "house_number": "4",
        "reported_at": timezone.now().isoformat(),
        "urgent": False,
    }
    body.update(extra)
    return body


def test_signal_created_then_resent_then_conflict(client, world, team):
    client.force_login(team[1])
    body = _signal_body(team)
    first = _post(client, "patrols:api_signal", world, body)
    assert first.status_code == 201 and first.json()["id"] == body["id"]
    assert first.json()["status"] == "new"
    again = _post(client, "patrols:api_signal", world, body)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    other = _post(client, "patrols:api_signal", world, {**body, "description": "Iets anders"})
    assert other.status_code == 409
    assert "al gebruikt" in other.json()["errors"]["id"][0]
    assert Signal.objects.filter(uuid=body["id"]).count() == 1


def test_bad_input_gets_dutch_messages(client, world, team):
    client.force_login(team[1])
    response = _post(
        client, "patrols:api_signal", world, _signal_body(team, description="", latitude="x")
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["latitude"] == ["Voer een getal in."]
    no_category = _post(client, "patrols:api_signal", world, _signal_body(team, category=None))
    assert no_category.status_code == 400
    assert no_category.json()["errors"]["category"] == ["Kies een categorie."]
    half = _post(client, "patrols:api_signal", world, _signal_body(team, latitude=52.1, street=""))
    assert half.status_code == 400 and "latitude" in half.json()["errors"]
    future = _post(
        client, "patrols:api_signal", world, _signal_body(team, reported_at="2099-01-01T10:00:00")
    )
    assert future.status_code == 400 and "toekomst" in json.dumps(future.json(), ensure_ascii=False)

    garbage = client.post(
        reverse("patrols:api_signal", kwargs={"org": world.client.slug}),
        data=b"{not json",
        content_type="application/json",
    )
    assert garbage.status_code == 400


def test_round_with_signal_and_end(client, world, team):
    programme, member, _ = team
    client.force_login(member)
    round_id = str(uuid.uuid4())
    started = timezone.now() - timezone.timedelta(hours=1)
    assert (
        _post(
            client,
            "patrols:api_round_start",
            world,
            {"id": round_id, "programme": programme.pk, "started_at": started.isoformat()},
        ).status_code
        == 201
    )
    assert (
        _post(client, "patrols:api_signal", world, _signal_body(team, round=round_id)).status_code
        == 201
    )
    end = {"programme": programme.pk, "ended_at": timezone.now().isoformat()}
    assert (
        _post(client, "patrols:api_round_end", world, end, round_uuid=round_id).status_code == 200
    )
    assert (
        _post(client, "patrols:api_round_end", world, end, round_uuid=round_id).status_code == 200
    )
    round_ = Round.objects.get(uuid=round_id)
    assert round_.ended_at is not None and round_.signals.count() == 1
    assert (
        _post(
            client, "patrols:api_signal", world, _signal_body(team, round=str(uuid.uuid4()))
        ).status_code
        == 400
    )


def test_photo_upload_once(client, world, team, django_capture_on_commit_callbacks):
    client.force_login(team[1])
    body = _signal_body(team)
    _post(client, "patrols:api_signal", world, body)
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "#884422").save(out, format="JPEG")
    url = reverse(
        "patrols:api_signal_photo", kwargs={"org": world.client.slug, "signal_uuid": body["id"]}
    )
    photo_id = str(uuid.uuid4())
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload():
        return client.post(
            url,
            {"id": photo_id, "image": SimpleUploadedFile("a.jpg", out.getvalue(), "image/jpeg")},
        )

    # The photo is re-encoded by a task queued after commit: here, at the end of the block.
    with django_capture_on_commit_callbacks(execute=True):
        assert upload().status_code == 201
    assert upload().status_code == 200
    photo = SignalPhoto.objects.get(uuid=photo_id)
    assert max(photo.width, photo.height) == 2048
    bad = client.post(
        url,
        {
            "id": str(uuid.uuid4()),
            "image": SimpleUploadedFile("b.jpg", b"not an image", "image/jpeg"),
        },
    )
    assert bad.status_code == 400 and "geen afbeelding" in json.dumps(
        bad.json(), ensure_ascii=False
    )


def test_conversation(client, world, team):
    client.force_login(team[1])
    body = {
        "id": str(uuid.uuid4()),
        "programme": team[0].pk,
        "topic": "noise",
        "outcome": "good",
        "reported_at": timezone.now().isoformat(),
    }
    assert _post(client, "patrols:api_conversation", world, body).status_code == 201
    assert (
        _post(
            client,
            "patrols:api_conversation",
            world,
            {**body, "id": str(uuid.uuid4()), "topic": "x"},
        ).status_code
        == 400
    )


def test_isolation(client, world, other_world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert _post(client, "patrols:api_signal", world, _signal_body(team)).status_code == 403
    client.force_login(other_world.users[Role.TEAM_MEMBER])
    assert _post(client, "patrols:api_signal", world, _signal_body(team)).status_code == 404
    # A member of this client who is not on the programme's team cannot post into it.
    from ..factories import UserFactory

    stranger = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    client.force_login(stranger)
    assert _post(client, "patrols:api_signal", world, _signal_body(team)).status_code == 403


def test_team_pages(client, world, team):
    client.force_login(team[1])
    home = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    assert home.status_code == 200 and "Ronde starten" in home.content.decode()
    round_page = client.get(reverse("patrols:team_round", kwargs={"org": world.client.slug}))
    config = round_page.content.decode()
    assert 'id="team-app-config"' in config and "Zwerfvuil en grofvuil" in config
    sw = client.get(reverse("patrols:team_sw"))
    assert sw.status_code == 200 and "/static/js/team-app.js" in sw.content.decode()
    manifest = client.get(
        reverse("patrols:team_manifest", kwargs={"org": world.client.slug})
    ).json()
    assert (
        manifest["start_url"] == f"/team/{world.client.slug}/"
        and manifest["display"] == "standalone"
    )


def test_round_with_walkers(client, world, team):
    from programmes import services

    from ..factories import UserFactory

    programme, member, _ = team
    mate = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    services.team_member_add(actor=None, programme=programme, user=mate)
    client.force_login(member)
    body = {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "started_at": timezone.now().isoformat(),
        "walkers": [mate.pk],
    }
    assert _post(client, "patrols:api_round_start", world, body).status_code == 201
    assert set(Round.objects.get(uuid=body["id"]).walkers.values_list("pk", flat=True)) == {
        member.pk,
        mate.pk,
    }
    outsider = world.users[Role.CLIENT_STAFF]
    bad = _post(
        client,
        "patrols:api_round_start",
        world,
        {**body, "id": str(uuid.uuid4()), "walkers": [outsider.pk]},
    )
    assert bad.status_code == 400
    junk = _post(
        client,
        "patrols:api_round_start",
        world,
        {**body, "id": str(uuid.uuid4()), "walkers": "iedereen"},
    )
    assert junk.status_code == 400


def test_heic_photo_is_accepted(client, world, team, django_capture_on_commit_callbacks):
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "#336699").save(out, format="HEIF")
    client.force_login(team[1])
    body = _signal_body(team)
    _post(client, "patrols:api_signal", world, body)
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse(
        "patrols:api_signal_photo", kwargs={"org": world.client.slug, "signal_uuid": body["id"]}
    )
    with django_capture_on_commit_callbacks(execute=True):  # the re-encoding task runs
        response = client.post(
            url,
            {
                "id": str(uuid.uuid4()),
                "image": SimpleUploadedFile("IMG.HEIC", out.getvalue(), "image/heic"),
            },
        )
    assert response.status_code == 201
    photo = SignalPhoto.objects.get(signal__uuid=body["id"])
    with photo.image.open("rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"  # stored as JPEG


def test_signal_in_four_taps_needs_only_a_category(client, world, team):
    """A member on a round saves with a category alone: no description, no place typed.
    The phone sends no position when the browser gives none; the signal is kept anyway."""
    client.force_login(team[1])
    body = _signal_body(team, description="", street="", house_number="")
    response = _post(client, "patrols:api_signal", world, body)
    assert response.status_code == 201
    signal = Signal.objects.get(uuid=body["id"])
    assert signal.description == "" and signal.street == "" and signal.latitude is None
    assert str(signal) == str(signal.category)
    located = _post(
        client,
        "patrols:api_signal",
        world,
        _signal_body(team, description="", street="", latitude=52.090701, longitude=5.121403),
    )
    assert located.status_code == 201
    assert Signal.objects.get(uuid=located.json()["id"]).latitude is not None
