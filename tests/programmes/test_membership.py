"""Membership over time: the moves the table allows and refuses, the history and audit each
step leaves, who is scheduled, reminded and held to the effort obligation, the beat that ends
pauses, and a member's request to stop."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patrols import services as patrols
from patrols.models import RoundSignup
from programmes import selectors, services
from programmes.models import AuditEntry, MembershipEvent, Notification, TeamMember
from programmes.permissions import Role
from programmes.tasks import membership_pauses_end
from programmes.workflow import MembershipState as S
from programmes.workflow import check_membership_transition

from ..factories import UserFactory

TODAY = dt.date(2027, 3, 10)


def _row(team):
    programme, member, _ = team
    return TeamMember.objects.get(programme=programme, user=member)


def _steps(row):
    return [(e.from_state, e.to_state) for e in MembershipEvent.objects.filter(member=row)]


@pytest.mark.parametrize(
    ("current", "new"),
    [(S.ACTIVE, S.PAUSED), (S.ACTIVE, S.LEFT), (S.PAUSED, S.ACTIVE), (S.PAUSED, S.PAUSED),
     (S.PAUSED, S.LEFT), (S.LEFT, S.ACTIVE)],
)  # fmt: skip
def test_the_table_allows(current, new):
    check_membership_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"), [(S.ACTIVE, S.ACTIVE), (S.LEFT, S.PAUSED), (S.LEFT, S.LEFT)]
)
def test_the_table_refuses(current, new):
    with pytest.raises(ValidationError):
        check_membership_transition(current, new)


def test_pause_resume_leave_rejoin_keep_history_and_audit(world, team):
    leader = world.users[Role.PROJECT_LEADER]
    row = _row(team)
    services.membership_pause(
        actor=team[1], member=row, until=TODAY + dt.timedelta(days=14), reason="Vakantie",
        today=TODAY,
    )  # fmt: skip
    row.refresh_from_db()
    assert (row.state, row.paused_until, row.is_active) == (
        S.PAUSED,
        TODAY + dt.timedelta(days=14),
        True,  # still on the team: the roster keeps them
    )
    assert selectors.is_on_roster(programme=team[0], user=team[1])
    assert not selectors.schedulable_members(programme=team[0]).filter(pk=row.pk).exists()
    services.membership_resume(actor=leader, member=row)
    services.membership_leave(
        actor=leader, member=row, left_on=TODAY, reason="Verhuisd", gear_returned=True, today=TODAY
    )
    row.refresh_from_db()
    assert (row.state, row.is_active, row.left_reason, row.gear_returned) == (
        S.LEFT,
        False,
        "Verhuisd",
        True,
    )
    assert timezone.localtime(row.left_at).date() == TODAY
    assert not selectors.is_on_roster(programme=team[0], user=team[1])
    services.membership_rejoin(actor=leader, member=row)
    row.refresh_from_db()
    assert (row.state, row.is_active, row.left_reason) == (S.ACTIVE, True, "")
    assert _steps(row) == [
        ("", S.ACTIVE),
        (S.ACTIVE, S.PAUSED),
        (S.PAUSED, S.ACTIVE),
        (S.ACTIVE, S.LEFT),
        (S.LEFT, S.ACTIVE),
    ]
    actions = list(
        AuditEntry.objects.filter(object_id=str(row.pk), action__startswith="membership.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "membership.paused",
        "membership.resumed",
        "membership.left",
        "membership.rejoined",
    ]


def test_refused_moves_write_nothing(world, team):
    leader = world.users[Role.PROJECT_LEADER]
    row = _row(team)
    with pytest.raises(ValidationError):
        services.membership_resume(actor=leader, member=row)  # not paused
    with pytest.raises(ValidationError):
        services.membership_rejoin(actor=leader, member=row)  # never left
    with pytest.raises(ValidationError) as err:
        services.membership_pause(
            actor=leader, member=row, until=TODAY - dt.timedelta(days=1), today=TODAY
        )
    assert "until" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.membership_pause(
            actor=leader, member=row, until=TODAY + dt.timedelta(days=400), today=TODAY
        )
    with pytest.raises(ValidationError) as err:
        services.membership_leave(
            actor=leader, member=row, left_on=TODAY + dt.timedelta(days=1), today=TODAY
        )
    assert "left_on" in err.value.message_dict
    services.membership_leave(actor=leader, member=row, reason="Gestopt", today=TODAY)
    with pytest.raises(ValidationError):
        services.membership_pause(
            actor=leader, member=row, until=TODAY + dt.timedelta(days=3), today=TODAY
        )
    row.refresh_from_db()
    assert row.state == S.LEFT
    assert _steps(row) == [("", S.ACTIVE), (S.ACTIVE, S.LEFT)]


def test_a_paused_member_is_not_signed_up_nor_reminded(world, team):
    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    row = _row(team)
    (slot,) = patrols.round_slot_create(
        actor=leader,
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(hours=20),
        meeting_point="Plein",
    )
    patrols.round_signup(actor=member, slot=slot)
    assert list(patrols.round_reminders_due()) == [
        (RoundSignup.objects.get(slot=slot).pk, programme.organisation_id)
    ]
    services.membership_pause(
        actor=member, member=row, until=timezone.localdate() + dt.timedelta(days=3)
    )
    assert list(patrols.round_reminders_due()) == []
    patrols.round_signup(actor=member, slot=slot, signed_up=False)
    with pytest.raises(ValidationError):
        patrols.round_signup(actor=member, slot=slot)
    services.membership_resume(actor=member, member=row)
    patrols.round_signup(actor=member, slot=slot)
    assert len(list(patrols.round_reminders_due())) == 1


def test_schedulable_on_a_later_date_counts_a_pause_that_ended(world, team):
    programme, member, _ = team
    row = _row(team)
    until = timezone.localdate() + dt.timedelta(days=5)
    services.membership_pause(actor=member, member=row, until=until)
    assert not selectors.schedulable_members(programme=programme, on=until).exists()
    later = selectors.schedulable_members(programme=programme, on=until + dt.timedelta(days=1))
    assert [m.pk for m in later] == [row.pk]


def test_the_beat_ends_pauses_that_ended(world, team, unscoped):
    programme, member, _ = team
    row = _row(team)
    services.membership_pause(actor=member, member=row, until=timezone.localdate())
    assert membership_pauses_end() == 0  # paused until and including today
    TeamMember.objects.filter(pk=row.pk).update(
        paused_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert membership_pauses_end() == 1
    assert membership_pauses_end() == 0
    row.refresh_from_db()
    assert (row.state, row.paused_until) == (S.ACTIVE, None)
    last = MembershipEvent.objects.filter(member=row).last()
    assert (last.from_state, last.to_state, last.actor) == (S.PAUSED, S.ACTIVE, None)


def test_excused_in_a_month_from_the_history(world, team):
    programme, member, _ = team
    row = _row(team)
    second = UserFactory(role=Role.TEAM_MEMBER, organisation=programme.organisation)
    other = services.team_member_add(
        actor=world.users[Role.PROJECT_LEADER], programme=programme, user=second
    )
    tz = timezone.get_current_timezone()

    def moment(*args):
        return dt.datetime(*args, tzinfo=tz)

    MembershipEvent.objects.filter(member__programme=programme).update(at=moment(2027, 1, 1))
    # Paused from 20 February to 5 March: excused in February and March, not in January/April.
    MembershipEvent.objects.create(
        organisation=programme.organisation, member=row, from_state=S.ACTIVE,
        to_state=S.PAUSED, at=moment(2027, 2, 20),
    )  # fmt: skip
    MembershipEvent.objects.create(
        organisation=programme.organisation, member=row, from_state=S.PAUSED,
        to_state=S.ACTIVE, at=moment(2027, 3, 6),
    )  # fmt: skip
    months = [moment(2027, m, 1) for m in (1, 2, 3, 4, 5)]
    excused = selectors.members_excused_by_period(
        programme_ids=[programme.pk], periods=list(zip(months, months[1:], strict=False))
    )
    key = (programme.pk, member.pk)
    assert [key in e for e in excused] == [False, True, True, False]
    assert all((programme.pk, other.user_id) not in e for e in excused)


def test_a_member_asks_to_stop_and_the_leader_is_told(
    world, team, django_capture_on_commit_callbacks
):
    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    row = _row(team)
    with pytest.raises(ValidationError):
        services.membership_stop_request(actor=leader, member=row, message="")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_stop_request(actor=member, member=row, message="Ik verhuis")
    row.refresh_from_db()
    assert row.stop_requested_at is not None and row.stop_message == "Ik verhuis"
    (notice,) = Notification.objects.filter(recipient=leader, kind="membership.stop_request")
    assert member.name in str(notice.title)
    assert row.state == S.ACTIVE  # the leader records the leave
    services.membership_leave(actor=leader, member=row, reason="Verhuisd")
    row.refresh_from_db()
    assert row.stop_requested_at is None


def _members(programme, n, *, start=0):
    users = [
        UserFactory(name=f"Lid {i:04d}", role=Role.TEAM_MEMBER, organisation=programme.organisation)
        for i in range(start, start + n)
    ]
    TeamMember.objects.bulk_create(
        TeamMember(organisation=programme.organisation, programme=programme, user=u, state=state)
        for u, state in zip(users, [S.ACTIVE, S.PAUSED, S.LEFT] * n, strict=False)
    )


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), response


def test_the_team_page_and_history_are_paginated_at_a_constant_query_count(
    world, team, login, unscoped
):
    from django.urls import reverse

    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    row = _row(team)
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
    team_url = reverse("programme_team", kwargs=kwargs)
    member_url = reverse("programme_team_member", kwargs={**kwargs, "member_pk": row.pk})
    client = login(leader)
    _members(programme, 9)
    for _ in range(4):
        services.membership_pause(actor=member, member=row, until=timezone.localdate())
        services.membership_resume(actor=leader, member=row)
    small, first = _count(client, team_url)
    small_history, _response = _count(client, member_url)
    _members(programme, 300, start=100)
    for _ in range(60):
        services.membership_pause(actor=member, member=row, until=timezone.localdate())
        services.membership_resume(actor=leader, member=row)
    large, response = _count(client, team_url)
    large_history, history = _count(client, member_url)
    assert (large, large_history) == (small, small_history)
    assert "?page=2" in response.text and "?page=2" in history.text
    assert member.name in response.text
    # Active first, then paused, then who left; each in words.
    text = first.text
    assert text.index("Lid 0000") < text.index("Lid 0001") < text.index("Lid 0002")
    assert "Gepauzeerd t/m" in text and "Gestopt op" in text


def test_the_leader_pauses_and_records_a_leave_on_the_member_page(world, team, login, unscoped):
    from django.urls import reverse

    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    row = _row(team)
    url = reverse(
        "programme_team_member",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "member_pk": row.pk},
    )
    client = login(leader)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    bad = client.post(url, {"action": "pause", "until": yesterday.isoformat()})
    assert bad.status_code == 200 and "vanaf vandaag" in bad.text
    assert (
        "tussen 2000 en 2100" in client.post(url, {"action": "pause", "until": "1999-01-01"}).text
    )
    until = timezone.localdate() + dt.timedelta(days=10)
    assert client.post(url, {"action": "pause", "until": until.isoformat()}).status_code == 302
    row.refresh_from_db()
    assert (row.state, row.paused_until) == (S.PAUSED, until)
    missing_reason = client.post(url, {"action": "leave", "left_on": timezone.localdate()})
    assert missing_reason.status_code == 200
    row.refresh_from_db()
    assert row.state == S.PAUSED
    response = client.post(
        url,
        {
            "action": "leave",
            "left_on": timezone.localdate().isoformat(),
            "reason": "Verhuisd",
            "gear_returned": "on",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.left_reason, row.gear_returned) == (S.LEFT, "Verhuisd", True)
    page = client.get(url).text
    assert "Terug in het team" in page and "Pauzeren" not in page


def test_a_paused_mate_is_not_offered_to_walk_with(world, team):
    from patrols.selectors.member import mates_of

    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    mate = UserFactory(name="Mees", role=Role.TEAM_MEMBER, organisation=programme.organisation)
    row = services.team_member_add(actor=leader, programme=programme, user=mate)
    assert [m.user for m in mates_of(programme=programme, user=member)] == [mate]
    services.membership_pause(
        actor=leader, member=row, until=timezone.localdate() + dt.timedelta(days=7)
    )
    assert list(mates_of(programme=programme, user=member)) == []


def test_the_figures_excuse_a_member_paused_in_a_month_only(world, team, unscoped):
    """A rule of one round a month; nobody walks. The member is paused from 10 February to
    5 March: January counts them as missing, February and March do not, April does again."""
    from patrols.models import EffortRule
    from reporting.selectors.figures import period_figures

    programme, member, _ = team
    row = _row(team)
    tz = timezone.get_current_timezone()
    TeamMember.objects.filter(pk=row.pk).update(joined_at=dt.datetime(2026, 12, 1, tzinfo=tz))
    MembershipEvent.objects.filter(member=row).update(at=dt.datetime(2026, 12, 1, tzinfo=tz))
    EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, min_rounds=1, min_hours=0
    )
    for from_state, to_state, at in (
        (S.ACTIVE, S.PAUSED, dt.datetime(2027, 2, 10, 9, tzinfo=tz)),
        (S.PAUSED, S.ACTIVE, dt.datetime(2027, 3, 5, 9, tzinfo=tz)),
    ):
        MembershipEvent.objects.create(
            organisation=programme.organisation,
            member=row,
            from_state=from_state,
            to_state=to_state,
            at=at,
        )
    f = period_figures(programmes=[programme], start=dt.date(2027, 1, 1), end=dt.date(2027, 5, 1))
    assert [(e.month.month, e.members, e.met) for e in f.effort] == [
        (1, 1, 0),
        (2, 0, 0),
        (3, 0, 0),
        (4, 1, 0),
    ]
    # Paused again from 20 April and still paused: the months before still count them.
    MembershipEvent.objects.create(
        organisation=programme.organisation,
        member=row,
        from_state=S.ACTIVE,
        to_state=S.PAUSED,
        at=dt.datetime(2027, 4, 20, 9, tzinfo=tz),
    )
    TeamMember.objects.filter(pk=row.pk).update(state=S.PAUSED, paused_until=dt.date(2027, 6, 1))
    f = period_figures(programmes=[programme], start=dt.date(2027, 1, 1), end=dt.date(2027, 5, 1))
    assert [e.members for e in f.effort] == [1, 0, 0, 0]
