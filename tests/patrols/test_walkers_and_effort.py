"""A round walked with fewer walkers than the minimum is flagged; the effort pages say so
when no effort obligation is set instead of showing empty figures."""

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Round, RoundSlot
from programmes import services as base
from programmes.permissions import Role

from ..factories import UserFactory


def _url(name, world, programme):
    return reverse(name, kwargs={"org": world.client.slug, "programme_pk": programme.pk})


def _walk(programme, member, walkers=(), slot=None, hours_ago=3):
    start = timezone.now() - dt.timedelta(hours=hours_ago)
    round_, _ = patrols.round_start(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        started_at=start,
        walkers=walkers,
        slot=slot,
    )
    patrols.round_end(actor=member, round_=round_, ended_at=start + dt.timedelta(hours=1))
    return round_


def test_round_with_too_few_walkers_is_flagged(client, world, team):
    programme, member, _ = team
    mate = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Zora")
    base.team_member_add(actor=None, programme=programme, user=mate)
    alone = _walk(programme, member)
    together = _walk(programme, member, walkers=[mate], hours_ago=6)
    slot = RoundSlot.objects.create(
        organisation=programme.organisation,
        programme=programme,
        starts_at=timezone.now() - dt.timedelta(hours=10),
        meeting_point="Plein",
        min_walkers=3,
    )
    short = _walk(programme, member, walkers=[mate], slot=slot, hours_ago=9)

    # the round's own data
    assert (alone.min_walkers, alone.too_few_walkers) == (2, True)
    assert (together.min_walkers, together.too_few_walkers) == (2, False)
    assert (short.min_walkers, short.too_few_walkers) == (3, True)
    # a later change to the schedule does not rewrite the round
    RoundSlot.objects.filter(pk=slot.pk).update(min_walkers=2)
    assert Round.objects.get(pk=short.pk).too_few_walkers

    client.force_login(world.users[Role.PROJECT_LEADER])
    html = client.get(_url("patrols:programme_rounds", world, programme)).content.decode()
    assert html.count("data-too-few-walkers") == 2
    assert "Minder dan 2 lopers" in html and "Minder dan 3 lopers" in html


def test_rounds_page_names_signal_statuses(client, world, team):
    programme, member, categories = team
    patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Bank kapot",
        reported_at=timezone.now(),
        street="Lindelaan",
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    html = client.get(_url("patrols:programme_rounds", world, programme)).content.decode()
    assert "Nieuw: 1" in html and "new: 1" not in html


def test_effort_page_without_an_obligation(client, world, team):
    programme, member, _ = team
    _walk(programme, member)
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_effort", world, programme)
    html = client.get(url).content.decode()
    assert "Er is nog geen inspanningsverplichting ingesteld." in html
    assert 'href="#effort-rule"' in html and 'id="effort-rule"' in html
    assert "Verplichting gehaald" not in html and member.name in html

    client.force_login(world.users[Role.CLIENT_STAFF])
    portal = client.get(_url("patrols:portal_effort", world, programme)).content.decode()
    assert "Er is nog geen inspanningsverplichting ingesteld." in portal
    assert "De projectleider stelt die in" in portal and 'href="#effort-rule"' not in portal

    client.force_login(world.users[Role.PROJECT_LEADER])
    saved = client.post(
        url, {"min_rounds": 1, "min_hours": "0.5", "min_team_meetings": 0, "reward": "Bon"}
    )
    assert saved.status_code == 302
    html = client.get(url).content.decode()
    assert "Er is nog geen inspanningsverplichting" not in html
    assert 'value="Bon"' in html  # the saved obligation is shown in its form
    client.force_login(world.users[Role.CLIENT_STAFF])
    portal = client.get(_url("patrols:portal_effort", world, programme)).content.decode()
    assert "Er is nog geen inspanningsverplichting" not in portal and "Bon" in portal


def test_rounds_and_effort_pages_do_not_grow(client, world, team):
    """The walkers flag comes from the page's one annotated query, not a query per round."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    programme, member, _ = team
    mate = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    base.team_member_add(actor=None, programme=programme, user=mate)
    client.force_login(world.users[Role.PROJECT_LEADER])

    def count(name):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(name, world, programme)).status_code == 200
        return len(ctx)

    def grow(n, offset):
        for i in range(n):
            _walk(
                programme, member, walkers=[mate] if i % 2 else (), hours_ago=3 + 2 * (i + offset)
            )

    grow(1, 0)
    small = {name: count(name) for name in ("patrols:programme_rounds", "patrols:programme_effort")}
    grow(8, 1)
    assert {name: count(name) for name in small} == small
