"""A member not ready for rounds is refused on every path, with the reason in their words;
the project leader's override lets them through."""

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from patrols import services as patrols
from patrols.models import Conversation, Round, Signal, SignalPhoto
from programmes import services
from programmes.models import AuditEntry, TeamMember
from programmes.permissions import Role
from programmes.readiness import readiness_reason

WORKSHOP = "je hebt de workshop nog niet gehaald"
RULES = "je hebt de spelregels nog niet geaccepteerd"


@pytest.fixture
def not_ready(team):
    programme, member, categories = team
    TeamMember.objects.filter(user=member).update(ready_for_rounds=False)
    return programme, member, categories


def _post(client, name, world, body, **kwargs):
    return client.post(
        reverse(name, kwargs={"org": world.client.slug, **kwargs}),
        data=json.dumps(body),
        content_type="application/json",
    )


def _override(world, member):
    services.team_member_set_ready(
        actor=world.users[Role.PROJECT_LEADER],
        member=TeamMember.objects.get(user=member),
        ready=True,
        reason="Was al buurtvrijwilliger",
    )


def test_reason_names_what_is_missing_in_the_members_words(not_ready, world):
    from trainings import services as trainings

    programme, member, _ = not_ready
    roster = TeamMember.objects.get(user=member)
    with translation.override("nl"):
        reason = readiness_reason(member=roster)
        assert reason.startswith("Je kunt nog geen rondes lopen: ")
        assert WORKSHOP in reason and RULES in reason
        trainings.rules_accept(user=member, programme=programme)
        roster.refresh_from_db()
        reason = readiness_reason(member=roster)
        assert WORKSHOP in reason and RULES not in reason
    _override(world, member)
    roster.refresh_from_db()
    assert readiness_reason(member=roster) == ""


def test_services_refuse_a_member_who_is_not_ready(not_ready, world):
    programme, member, categories = not_ready
    now = timezone.now()
    with pytest.raises(patrols.NotReady) as refused:
        patrols.round_start(actor=member, programme=programme, uuid=uuid.uuid4(), started_at=now)
    assert "workshop" in refused.value.reason
    with pytest.raises(patrols.NotReady):
        patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories[0],
            description="Matras",
            reported_at=now,
            street="Lindelaan",
        )
    with pytest.raises(patrols.NotReady):
        patrols.conversation_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            topic="noise",
            outcome="good",
            reported_at=now,
        )
    assert not Round.objects.exists() and not Signal.objects.exists()
    assert not Conversation.objects.exists()


def _signal_body(programme, categories):
    return {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "category": categories[0].pk,
        "description": "Grofvuil",
        "street": "Lindelaan",
        "reported_at": timezone.now().isoformat(),
    }


def test_every_api_refuses_with_403_and_the_reason(client, not_ready, world):
    programme, member, categories = not_ready
    client.force_login(member)
    now = timezone.now().isoformat()
    answers = [
        _post(
            client,
            "patrols:api_round_start",
            world,
            {"id": str(uuid.uuid4()), "programme": programme.pk, "started_at": now},
        ),
        _post(client, "patrols:api_signal", world, _signal_body(programme, categories)),
        _post(
            client,
            "patrols:api_conversation",
            world,
            {
                "id": str(uuid.uuid4()),
                "programme": programme.pk,
                "topic": "noise",
                "outcome": "good",
                "reported_at": now,
            },
        ),
    ]
    for response in answers:
        assert response.status_code == 403, response.content
        body = response.json()
        assert body["reason"].startswith("Je kunt nog geen rondes lopen")
        assert WORKSHOP in body["reason"] and body["errors"]["__all__"] == [body["reason"]]
    # Even a record with bad fields is answered with the reason first (the outbox keeps it).
    bad = _post(
        client, "patrols:api_signal", world, {**_signal_body(programme, categories), "id": "x"}
    )
    assert bad.status_code == 403 and "reason" in bad.json()


def test_photo_api_and_resend_are_refused_after_the_override_is_withdrawn(client, team, world):
    """A signal stored while ready; the project leader withdraws readiness: its photo and a
    new record from the outbox are refused with the reason, and pass again once ready."""
    programme, member, categories = team
    client.force_login(member)
    body = _signal_body(programme, categories)
    assert _post(client, "patrols:api_signal", world, body).status_code == 201
    roster = TeamMember.objects.get(user=member)
    services.team_member_set_ready(
        actor=world.users[Role.PROJECT_LEADER], member=roster, ready=False
    )
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(jpeg, format="JPEG")
    url = reverse(
        "patrols:api_signal_photo", kwargs={"org": world.client.slug, "signal_uuid": body["id"]}
    )
    photo = {"id": str(uuid.uuid4()), "image": SimpleUploadedFile("p.jpg", jpeg.getvalue())}
    refused = client.post(url, photo)
    assert refused.status_code == 403 and WORKSHOP in refused.json()["reason"]
    assert not SignalPhoto.objects.exists()
    again = _signal_body(programme, categories)
    assert _post(client, "patrols:api_signal", world, again).status_code == 403
    _override(world, member)
    photo["image"].seek(0)
    assert client.post(url, photo).status_code == 201
    assert _post(client, "patrols:api_signal", world, again).status_code == 201


def test_a_started_round_may_still_end(client, team, world):
    programme, member, _ = team
    client.force_login(member)
    round_id = str(uuid.uuid4())
    started = timezone.now() - dt.timedelta(hours=1)
    assert (
        _post(
            client,
            "patrols:api_round_start",
            world,
            {"id": round_id, "programme": programme.pk, "started_at": started.isoformat()},
        ).status_code
        == 201
    )
    TeamMember.objects.filter(user=member).update(ready_for_rounds=False)
    ended = _post(
        client,
        "patrols:api_round_end",
        world,
        {"programme": programme.pk, "ended_at": timezone.now().isoformat()},
        round_uuid=round_id,
    )
    assert ended.status_code == 200


def test_home_and_round_screen_show_the_reason(client, not_ready, world):
    programme, member, _ = not_ready
    patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis",
    )
    client.force_login(member)
    home = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    page = home.content.decode()
    track = reverse("trainings:team_track", kwargs={"org": world.client.slug})
    assert "Je kunt nog geen rondes lopen" in page and WORKSHOP in page and track in page
    assert "Ronde starten" not in page and "Ik doe mee" not in page
    round_page = client.get(reverse("patrols:team_round", kwargs={"org": world.client.slug}))
    assert round_page.status_code == 403
    text = round_page.content.decode()
    assert WORKSHOP in text and track in text and "team-app-config" not in text


def test_signup_refused_with_the_reason(client, not_ready, world):
    programme, member, _ = not_ready
    (slot,) = patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis",
    )
    client.force_login(member)
    url = reverse("patrols:round_signup", kwargs={"org": world.client.slug, "slot_pk": slot.pk})
    page = client.post(url, {"signup": "1"}, follow=True).content.decode()
    assert WORKSHOP in page and not slot.signups.exists()
    _override(world, member)
    client.post(url, {"signup": "1"})
    assert slot.signups.filter(user=member).exists()


def test_override_lets_the_member_walk(client, not_ready, world):
    programme, member, categories = not_ready
    _override(world, member)
    client.force_login(member)
    home = client.get(
        reverse("patrols:team_home", kwargs={"org": world.client.slug})
    ).content.decode()
    assert "Ronde starten" in home and "Je kunt nog geen rondes lopen" not in home
    assert (
        client.get(reverse("patrols:team_round", kwargs={"org": world.client.slug})).status_code
        == 200
    )
    assert _post(
        client, "patrols:api_signal", world, _signal_body(programme, categories)
    ).status_code == (201)


def test_signup_shows_state_and_sign_off_asks_first(client, team, world):
    programme, member, _ = team
    (slot,) = patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis",
    )
    client.force_login(member)
    home_url = reverse("patrols:team_home", kwargs={"org": world.client.slug})
    signup = reverse("patrols:round_signup", kwargs={"org": world.client.slug, "slot_pk": slot.pk})
    signoff = reverse(
        "patrols:round_signoff", kwargs={"org": world.client.slug, "slot_pk": slot.pk}
    )
    page = client.post(signup, {"signup": "1"}, follow=True).content.decode()
    assert "data-signup-state" in page and "Je doet mee" in page
    assert f'href="{signoff}"' in page and "Afmelden" in page
    question = client.get(signoff)
    assert question.status_code == 200 and "Afmelden voor deze ronde?" in question.content.decode()
    assert slot.signups.filter(user=member).exists()  # asking changes nothing
    done = client.post(signoff, follow=True)
    assert done.redirect_chain[-1][0] == home_url
    assert "Je bent afgemeld voor deze ronde." in done.content.decode()
    assert not slot.signups.exists()
    actions = AuditEntry.objects.filter(action__startswith="round.signed")
    assert sorted(actions.values_list("action", flat=True)) == [
        "round.signed_off",
        "round.signed_up",
    ]
    again = client.get(signoff).content.decode()
    assert "Je bent niet aangemeld voor deze ronde." in again


def test_signoff_of_another_teams_round_is_404(client, team, world, other_world):
    programme, member, _ = team
    (slot,) = patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis",
    )
    from ..factories import UserFactory

    stranger = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    other = services.programme_create(
        actor=world.users[Role.PROJECT_LEADER],
        client=world.client,
        project_leaders=[world.users[Role.PROJECT_LEADER]],
        name="Team West",
        neighbourhood="West",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.team_member_add(actor=None, programme=other, user=stranger)
    client.force_login(stranger)
    url = reverse("patrols:round_signoff", kwargs={"org": world.client.slug, "slot_pk": slot.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
