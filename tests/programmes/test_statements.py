"""Statements compiled once (`programmes.statements`) answer what the ORM's own queries answer:
the overview of a page of programmes (milestone counts, phase, each programme's first upcoming
meeting) in the request's tenant scope and outside it."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from programmes import services
from programmes.models import Meeting
from programmes.permissions import Role
from programmes.selectors import organisation_ids_for, programme_overview

pytestmark = pytest.mark.django_db


def _meeting(programme, title, starts_at):
    return Meeting.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind=Meeting.Kind.TEAM,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        location="Buurthuis",
    )


def test_the_overview_names_each_programmes_first_upcoming_meeting(world, other_world):
    now = timezone.now()
    with scopes_disabled():
        programmes = []
        for w in (world, other_world):
            leader = w.users[Role.PROJECT_LEADER]
            for i in range(3):
                p = services.programme_create(
                    actor=leader,
                    client=w.client,
                    project_leaders=[leader],
                    client_contacts=[],
                    name=f"Programma {i}",
                    neighbourhood="Wijk",
                    municipality="Stad",
                    postcode_areas="3031",
                    start_date=dt.date(2026, 9, 7),
                )
                services.plan_generate(actor=None, programme=p)
                programmes.append(p)
        first = _meeting(programmes[0], "Eerste", now + dt.timedelta(days=2))
        _meeting(programmes[0], "Later", now + dt.timedelta(days=9))
        _meeting(programmes[0], "Voorbij", now - dt.timedelta(days=1))
        _meeting(programmes[1], "Voorbij", now - dt.timedelta(days=1))
        other = _meeting(programmes[3], "Elders", now + dt.timedelta(days=1))
        unscoped = programme_overview(programmes)
    assert unscoped[programmes[0].pk].next_meeting.title == first.title
    assert unscoped[programmes[0].pk].next_meeting.starts_at == first.starts_at
    assert unscoped[programmes[1].pk].next_meeting is None
    assert unscoped[programmes[3].pk].next_meeting.pk == other.pk
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with scope(organisation=organisation_ids_for(user=admin)):
        scoped = programme_overview([{"pk": p.pk} for p in programmes])
    with scope(organisation=world.client.pk):
        one = programme_overview(programmes[:2])
    for pk, status in scoped.items():
        mine = programmes[[p.pk for p in programmes].index(pk)]
        if mine.organisation_id == world.client.pk:
            assert (status.total, status.done, status.phase) == (
                unscoped[pk].total,
                unscoped[pk].done,
                unscoped[pk].phase,
            )
            assert status.total
        else:  # another tenant's: nothing of it is read
            assert (status.total, status.next_meeting) == (0, None)
    assert scoped[programmes[0].pk].next_meeting.pk == first.pk
    assert one[programmes[0].pk].next_meeting.pk == first.pk


def test_a_statement_is_compiled_per_time_zone(team):
    """A day in a filter is a day of the active time zone: a statement compiled while one
    user's zone was active must not answer for another's (the zone is part of its SQL)."""
    from programmes import statements

    # 23:30 UTC on 1 March is 2 March in Amsterdam and still 1 March in New York.
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    with scopes_disabled():
        meeting = _meeting(team[0], "Laat", late)
        day = statements.date_mark(0)

        def build():
            return Meeting.objects.filter(pk=meeting.pk, starts_at__date=day).values_list("pk")

        def on(zone, date):
            with timezone.override(zone):
                return statements.rows(("test.meeting_day",), build, {day: date})

        assert on("Europe/Amsterdam", dt.date(2026, 3, 2)) == [(meeting.pk,)]
        assert on("America/New_York", dt.date(2026, 3, 1)) == [(meeting.pk,)]
        assert on("America/New_York", dt.date(2026, 3, 2)) == []
