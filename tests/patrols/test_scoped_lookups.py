"""Ids named in a form or a record reach the patrols pages only through the selectors that
scope them, and the team is read as its active roster."""

import datetime as dt
import json
import uuid

from django.urls import reverse
from django.utils import timezone

from patrols.models import RewardHandout, Round, SignalCategory
from programmes import services
from programmes.models import TeamMember
from programmes.permissions import Role

from ..factories import UserFactory


def _new_programme(world, name):
    leader = world.users[Role.PROJECT_LEADER]
    return services.programme_create(
        actor=leader,
        client=world.client,
        project_leaders=[leader],
        name=name,
        neighbourhood=name,
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )


def test_reward_for_an_account_of_another_organisation_is_404(client, world, other_world, team):
    programme = team[0]
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = reverse(
        "patrols:portal_effort", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    month = timezone.localdate().strftime("%Y-%m")
    outsider = other_world.users[Role.TEAM_MEMBER]
    response = client.post(url, {"reward_user": outsider.pk, "month": month, "handed_out": "1"})
    assert response.status_code == 404
    assert not RewardHandout.objects.exists()


def test_category_of_another_programme_is_neither_toggled_nor_a_parent(client, world, team):
    programme, _member, categories = team
    other = _new_programme(world, "West")
    from patrols import services as patrols

    foreign = patrols.categories_ensure(programme=other)[0]
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:programme_categories",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    client.post(url, {"toggle": foreign.pk})
    foreign.refresh_from_db()
    assert foreign.is_active
    client.post(url, {"parent": foreign.pk, "name": "Stoeptegel", "handling_days": 3})
    made = SignalCategory.objects.get(name="Stoeptegel")
    assert made.programme == programme and made.parent is None


def test_a_member_who_left_the_team_neither_walks_along_nor_is_offered(client, world, team):
    programme, member, _ = team
    left = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Vertrokken Vera")
    services.team_member_add(actor=None, programme=programme, user=left)
    TeamMember.objects.filter(programme=programme, user=left).update(is_active=False)
    client.force_login(member)
    round_page = client.get(reverse("patrols:team_round", kwargs={"org": world.client.slug}))
    assert round_page.status_code == 200
    assert "Vertrokken Vera" not in round_page.content.decode()
    body = {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "started_at": timezone.now().isoformat(),
        "walkers": [left.pk],
    }
    response = client.post(
        reverse("patrols:api_round_start", kwargs={"org": world.client.slug}),
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Round.objects.filter(uuid=body["id"]).exists()
