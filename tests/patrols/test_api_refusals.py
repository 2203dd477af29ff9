"""Every refusal of the phone app's endpoints says why, in words for the member, and whether
waiting helps (`permanent`): the phone sets a permanent refusal aside and sends the rest."""

import io
import json
import uuid

from django.urls import reverse
from django.utils import timezone
from PIL import Image

from patrols import services as patrols
from programmes import services
from programmes.models import TeamMember
from programmes.permissions import Role


def _post(client, name, world, body, **kwargs):
    return client.post(
        reverse(name, kwargs={"org": world.client.slug, **kwargs}),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def _signal(team, category=None, **extra):
    programme, _, categories = team
    return {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "category": (category or categories[0]).pk,
        "description": "Grofvuil naast de container",
        "reported_at": timezone.now().isoformat(),
        **extra,
    }


def _refused(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["permanent"] is True
    assert body["reason"] and "{" not in body["reason"]  # words, not a dump
    return body["reason"]


def test_switched_off_category_is_a_permanent_refusal(client, world, team, unscoped):
    programme, member, categories = team
    client.force_login(member)
    patrols.category_save(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        category=categories[0],
        is_active=False,
    )
    reason = _refused(_post(client, "patrols:api_signal", world, _signal(team)), 404)
    assert "categorie" in reason and "niet meer gebruikt" in reason
    # Another category still arrives.
    assert (
        _post(client, "patrols:api_signal", world, _signal(team, categories[1])).status_code == 201
    )


def test_invalid_input_is_permanent_with_the_field_messages_as_a_sentence(client, world, team):
    client.force_login(team[1])
    body = _signal(team, reported_at="gisteren")
    response = _post(client, "patrols:api_signal", world, body)
    reason = _refused(response, 400)
    assert reason.startswith("Dit kon niet worden opgeslagen:")
    assert response.json()["errors"]["reported_at"][0] in reason


def test_member_who_left_the_team_is_refused_for_good(client, world, team, unscoped):
    programme, member, _ = team
    client.force_login(member)
    TeamMember.objects.filter(programme=programme, user=member).update(is_active=False)
    reason = _refused(_post(client, "patrols:api_signal", world, _signal(team)), 403)
    assert "niet (meer) in dit team" in reason


def test_photo_of_a_signal_never_received_is_refused_for_good(client, world, team):
    client.force_login(team[1])
    image = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(image, format="JPEG")
    image.seek(0)
    image.name = "photo.jpg"
    response = client.post(
        reverse(
            "patrols:api_signal_photo",
            kwargs={"org": world.client.slug, "signal_uuid": uuid.uuid4()},
        ),
        {"id": str(uuid.uuid4()), "image": image},
        HTTP_ACCEPT="application/json",
    )
    assert "niet ontvangen" in _refused(response, 404)


def test_not_ready_is_a_refusal_that_waits(client, world, team, unscoped):
    programme, member, _ = team
    roster = TeamMember.objects.get(programme=programme, user=member)
    services.team_member_set_ready(
        actor=world.users[Role.PROJECT_LEADER], member=roster, ready=False
    )
    client.force_login(member)
    response = _post(client, "patrols:api_signal", world, _signal(team))
    assert response.status_code == 403
    body = response.json()
    assert body["permanent"] is False and body["reason"].startswith("Je kunt nog geen rondes")


def test_someone_outside_the_client_gets_a_json_refusal(client, world, other_world, team):
    # The tenancy middleware answers before the view: the phone still gets a reason.
    client.force_login(other_world.users[Role.TEAM_MEMBER])
    _refused(_post(client, "patrols:api_signal", world, _signal(team)), 404)
