"""Activities besides rounds and their hours in the effort obligation, and a round ended with
nothing to report."""

import datetime as dt
import json
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Activity, EffortRule, Round
from patrols.selectors.effort import effort_by_member_month
from programmes import services
from programmes.models import Invitee, Meeting
from programmes.permissions import Role

from ..factories import UserFactory


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


def _rule(programme, **fields):
    return EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, **fields
    )


def _walk(programme, member, start, minutes):
    round_, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=start
    )
    return patrols.round_end(
        actor=member, round_=round_, ended_at=start + dt.timedelta(minutes=minutes)
    )


def _month(programme, user, year, month):
    return patrols.effort_of(programme=programme, user=user, year=year, month=month)


def test_an_activity_logged_at_2330_on_31_october_counts_in_october(team, settings):
    """Europe/Amsterdam: 31 October 23:30 local is 22:30 UTC; logged then without a date, the
    activity is October's. One logged half an hour after midnight local (23:30 UTC, still
    31 October in UTC) is November's."""
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    programme, member, _ = team
    with mock.patch("django.utils.timezone.now", return_value=_at(2026, 10, 31, 23, 30)):
        late = patrols.activity_log(
            actor=member, programme=programme, kind="informing", hours="1.5"
        )
    assert late.date == dt.date(2026, 10, 31)
    just_after = _at(2026, 11, 1, 0, 30)
    assert just_after.astimezone(dt.UTC).date() == dt.date(2026, 10, 31)
    with mock.patch("django.utils.timezone.now", return_value=just_after):
        early = patrols.activity_log(actor=member, programme=programme, kind="partner", hours=2)
    assert early.date == dt.date(2026, 11, 1)
    with mock.patch("django.utils.timezone.now", return_value=_at(2026, 11, 20, 12)):
        october = _month(programme, member, 2026, 10)
        november = _month(programme, member, 2026, 11)
    assert (october.activity_hours, october.counted_hours) == (1.5, 1.5)
    assert (november.activity_hours, november.counted_hours) == (2.0, 2.0)


def test_activity_hours_and_team_meetings_count_as_the_rule_says(team):
    """A rule of 1 round and 3 hours: a round of an hour, 1.5 activity hours and a team
    meeting of an hour attended meet it; without activity hours counting, or without meeting
    hours counting, they do not."""
    programme, member, _ = team
    programme.team.update(joined_at=_at(2026, 9, 1))
    rule = _rule(programme, min_rounds=1, min_hours=Decimal("3"))
    _walk(programme, member, _at(2026, 11, 3, 19), 60)
    Activity.objects.create(
        organisation=programme.organisation,
        programme=programme,
        user=member,
        kind="initiative",
        date=dt.date(2026, 11, 10),
        hours=Decimal("1.50"),
    )
    meeting = Meeting.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind=Meeting.Kind.TEAM,
        title="Teamoverleg",
        starts_at=_at(2026, 11, 12, 19),
        ends_at=_at(2026, 11, 12, 20),
        location="Buurthuis",
    )
    Invitee.objects.create(
        organisation=programme.organisation,
        meeting=meeting,
        user=member,
        name=member.name,
        email=member.email,
        token_hash=uuid.uuid4().hex,
        attended=True,
    )
    effort = _month(programme, member, 2026, 11)
    assert (effort.rounds, effort.hours, effort.activity_hours) == (1, 1.0, 1.5)
    assert (effort.team_meetings, effort.meeting_hours) == (1, 1.0)
    assert (effort.counted_hours, effort.met) == (3.5, True)
    rule.count_activity_hours = False
    rule.save(update_fields=["count_activity_hours"])
    programme.refresh_from_db()
    effort = _month(programme, member, 2026, 11)
    assert (effort.counted_hours, effort.met) == (2.0, False)
    rule.count_activity_hours, rule.count_meeting_hours = True, False
    rule.save(update_fields=["count_activity_hours", "count_meeting_hours"])
    effort = _month(programme, member, 2026, 11)
    assert (effort.counted_hours, effort.met) == (2.5, False)
    # The dashboard's figures read the same measure.
    from reporting.selectors.figures import period_figures

    rule.count_meeting_hours = True
    rule.save(update_fields=["count_meeting_hours"])
    figures = period_figures(
        programmes=[programme], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1)
    )
    assert [(e.members, e.met) for e in figures.effort] == [(1, 1)]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"hours": "0.1"}, "hours"),
        ({"hours": "24.25"}, "hours"),
        ({"hours": "veel"}, "hours"),
        ({"kind": "party"}, "kind"),
        ({"description": "x" * 501}, "description"),
        ({"date": dt.date(2026, 11, 21)}, "date"),  # tomorrow
        ({"date": dt.date(2026, 1, 1)}, "date"),  # long ago
    ],
)
def test_bad_activities_are_refused_with_a_reason(team, fields, error):
    programme, member, _ = team
    data = {"kind": "informing", "hours": "2", **fields}
    with (
        mock.patch("django.utils.timezone.now", return_value=_at(2026, 11, 20, 12)),
        pytest.raises(ValidationError) as caught,
    ):
        patrols.activity_log(actor=member, programme=programme, **data)
    assert error in caught.value.message_dict
    assert not Activity.objects.exists()


def test_only_members_log_activities(team, world):
    programme, _, _ = team
    with pytest.raises(PermissionDenied):
        patrols.activity_log(
            actor=world.users[Role.PROJECT_LEADER], programme=programme, kind="other", hours=1
        )


def test_a_round_with_nothing_to_report_is_valid_and_counts(team):
    programme, member, _ = team
    _rule(programme, min_rounds=1, min_hours=1)
    round_, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 11, 5, 19)
    )
    patrols.round_end(
        actor=member,
        round_=round_,
        ended_at=_at(2026, 11, 5, 20, 15),
        outcome=Round.Outcome.NOTHING,
        remark="  Rustig in de wijk.  ",
    )
    round_.refresh_from_db()
    assert (round_.outcome, round_.remark) == ("nothing", "Rustig in de wijk.")
    assert round_.get_outcome_display() == "Niets te melden"
    assert not round_.signals.exists()
    effort = _month(programme, member, 2026, 11)
    assert (effort.rounds, effort.hours, effort.met) == (1, 1.2, True)
    with pytest.raises(ValidationError):
        other, _ = patrols.round_start(
            actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 11, 6, 19)
        )
        patrols.round_end(
            actor=member, round_=other, ended_at=_at(2026, 11, 6, 20), outcome="boring"
        )


def _post(client, name, world, body, **kwargs):
    return client.post(
        reverse(name, kwargs={"org": world.client.slug, **kwargs}),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_the_phone_ends_a_round_with_nothing_to_report(client, world, team):
    """The offline outbox sends the end with its outcome and remark; a resend is the same
    round, a wrong outcome or a remark too long is refused in Dutch."""
    programme, member, _ = team
    client.force_login(member)
    round_id = str(uuid.uuid4())
    started = timezone.now() - dt.timedelta(hours=1)
    start = {"id": round_id, "programme": programme.pk, "started_at": started.isoformat()}
    assert _post(client, "patrols:api_round_start", world, start).status_code == 201
    end = {"programme": programme.pk, "ended_at": timezone.now().isoformat()}
    wrong = _post(
        client, "patrols:api_round_end", world, {**end, "outcome": "x"}, round_uuid=round_id
    )
    assert wrong.status_code == 400 and "Kies hoe de ronde ging" in wrong.content.decode()
    long = _post(
        client, "patrols:api_round_end", world, {**end, "remark": "a" * 501}, round_uuid=round_id
    )
    assert long.status_code == 400
    end.update(outcome="nothing", remark="Alles rustig")
    for _ in range(2):
        assert (
            _post(client, "patrols:api_round_end", world, end, round_uuid=round_id).status_code
            == 200
        )
    round_ = Round.objects.get(uuid=round_id)
    assert (round_.outcome, round_.remark) == ("nothing", "Alles rustig")


def test_the_rounds_page_says_nothing_to_report(client, world, team):
    programme, member, _ = team
    round_, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 11, 5, 19)
    )
    patrols.round_end(actor=member, round_=round_, ended_at=_at(2026, 11, 5, 20), outcome="nothing")
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:programme_rounds", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    assert "Niets te melden" in client.get(url).content.decode()


def test_the_member_logs_an_activity_on_the_phone_and_sees_it(client, world, team):
    programme, member, _ = team
    _rule(programme, min_rounds=0, min_hours=2)
    client.force_login(member)
    url = reverse("patrols:team_activities", kwargs={"org": world.client.slug})
    today = timezone.localdate()
    bad = client.post(url, {"kind": "informing", "date": today.isoformat(), "hours": "30"})
    assert bad.status_code == 200 and not Activity.objects.exists()
    assert "Zorg ervoor dat deze waarde hoogstens 24 is." in bad.content.decode()
    response = client.post(
        url,
        {"kind": "informing", "date": today.isoformat(), "hours": "2.25", "description": "Flyers"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Buren informeren" in page and "Flyers" in page
    assert "Gehaald." in page and "In totaal tellen 2,25 uur mee" in page
    home = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    assert "Activiteiten: 2,25 uur" in home.content.decode()


def test_the_effort_measure_reads_a_fixed_number_of_queries(team, world):
    """Five grouped queries for one member or forty, one month or twelve."""
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    _rule(programme, min_rounds=1, min_hours=1)

    def count(months):
        with CaptureQueriesContext(connection) as ctx:
            effort_by_member_month(
                programmes=[programme], first=dt.date(2026, 1, 1), after=dt.date(2026, months, 1)
            )
        return len(ctx)

    small = count(2)
    for i in range(40):
        user = UserFactory(role=Role.TEAM_MEMBER, organisation=programme.organisation)
        roster = services.team_member_add(actor=pl, programme=programme, user=user)
        services.team_member_set_ready(actor=pl, member=roster, ready=True)
        Activity.objects.create(
            organisation=programme.organisation,
            programme=programme,
            user=user,
            kind="other",
            date=dt.date(2026, 1 + i % 10, 5),
            hours=1,
        )
    assert count(12) == small
