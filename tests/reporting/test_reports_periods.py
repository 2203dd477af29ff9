"""When the periodic report is drafted: the first working day in Amsterdam (weekends and the
fixed Dutch holidays skipped), monthly and quarterly periods, and a beat that may run many
times a day and drafts each report once, only for programmes whose schedule asks for it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from programmes.models import Programme
from programmes.permissions import Role
from reporting.models.reports import Frequency, PeriodicReport
from reporting.periods import due_period, first_working_day, is_working_day, kings_day
from reporting.services import reports as services
from reporting.tasks.reports import reports_draft_due

D = dt.date


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2027, 1, D(2027, 1, 4)),  # Fri 1 Jan is New Year's Day, then the weekend
        (2026, 2, D(2026, 2, 2)),  # 1 Feb is a Sunday
        (2027, 5, D(2027, 5, 3)),  # 1 May is a Saturday
        (2026, 12, D(2026, 12, 1)),  # a Tuesday
        (2028, 1, D(2028, 1, 3)),  # Sat 1 Jan 2028
        (2029, 1, D(2029, 1, 2)),  # Mon 1 Jan 2029 is New Year's Day
    ],
)
def test_first_working_day(year, month, expected):
    assert first_working_day(year, month) == expected


def test_holidays_are_not_working_days():
    assert not is_working_day(D(2026, 4, 27))  # King's Day, a Monday
    assert kings_day(2025) == D(2025, 4, 26)  # the 27th was a Sunday
    assert not is_working_day(D(2026, 12, 25)) and not is_working_day(D(2026, 12, 26))
    assert is_working_day(D(2026, 12, 24)) and is_working_day(D(2026, 12, 28))


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        (Frequency.MONTHLY, D(2026, 12, 1), (D(2026, 11, 1), D(2026, 11, 30))),
        (Frequency.MONTHLY, D(2027, 1, 1), None),  # New Year's Day
        (Frequency.MONTHLY, D(2027, 1, 3), None),  # the Sunday after
        (Frequency.MONTHLY, D(2027, 1, 4), (D(2026, 12, 1), D(2026, 12, 31))),
        (Frequency.MONTHLY, D(2027, 1, 20), (D(2026, 12, 1), D(2026, 12, 31))),  # made up later
        (Frequency.MONTHLY, D(2028, 3, 1), (D(2028, 2, 1), D(2028, 2, 29))),  # a leap year
        (Frequency.QUARTERLY, D(2027, 1, 4), (D(2026, 10, 1), D(2026, 12, 31))),
        (Frequency.QUARTERLY, D(2027, 1, 1), None),
        (Frequency.QUARTERLY, D(2026, 10, 1), (D(2026, 7, 1), D(2026, 9, 30))),
        (Frequency.QUARTERLY, D(2026, 11, 15), (D(2026, 7, 1), D(2026, 9, 30))),
        (Frequency.QUARTERLY, D(2026, 4, 1), (D(2026, 1, 1), D(2026, 3, 31))),
        (Frequency.OFF, D(2026, 12, 1), None),
    ],
)
def test_due_period(frequency, today, expected):
    assert due_period(frequency, today) == expected


@pytest.fixture
def programmes(world, team, unscoped):
    """Three programmes of the client made in September 2026: monthly, quarterly, and one
    without a schedule."""
    from programmes import services as base

    pl = world.users[Role.PROJECT_LEADER]
    monthly = team[0]
    quarterly, unscheduled = (
        base.programme_create(
            actor=pl,
            client=world.client,
            project_leaders=[pl],
            name=name,
            neighbourhood=name,
            municipality="Noordstad",
            start_date=D(2026, 9, 7),
        )
        for name in ("Kwartaal", "Zonder")
    )
    services.report_schedule_set(actor=pl, programme=monthly, frequency=Frequency.MONTHLY)
    services.report_schedule_set(actor=pl, programme=quarterly, frequency=Frequency.QUARTERLY)
    Programme.objects.update(
        created_at=timezone.make_aware(dt.datetime(2026, 9, 1, 12), ZoneInfo("Europe/Amsterdam"))
    )
    return monthly, quarterly, unscheduled


def _at(monkeypatch, utc: dt.datetime):
    monkeypatch.setattr(timezone, "now", lambda: utc.replace(tzinfo=dt.UTC))


def _periods():
    return sorted(
        (r.programme.name, r.period_start, r.period_end)
        for r in PeriodicReport.objects.select_related("programme")
    )


def test_beat_drafts_on_the_first_working_day_in_amsterdam_once(monkeypatch, programmes):
    monthly, quarterly, _ = programmes
    # 3 Jan 2027 23:30 UTC is Sunday evening in UTC but Monday 4 January 00:30 in Amsterdam.
    _at(monkeypatch, dt.datetime(2027, 1, 3, 22, 30))  # 23:30 Sunday in Amsterdam
    assert reports_draft_due() == 0
    _at(monkeypatch, dt.datetime(2027, 1, 3, 23, 30))
    assert reports_draft_due() == 2
    assert _periods() == [
        ("Kwartaal", D(2026, 10, 1), D(2026, 12, 31)),
        ("Team Noord", D(2026, 12, 1), D(2026, 12, 31)),
    ]
    # The beat runs again that day, and again the next: nothing new.
    assert reports_draft_due() == 0
    _at(monkeypatch, dt.datetime(2027, 1, 5, 9))
    assert reports_draft_due() == 0
    assert PeriodicReport.objects.count() == 2
    # February's first working day: the monthly programme only.
    _at(monkeypatch, dt.datetime(2027, 2, 1, 7))
    assert reports_draft_due() == 1
    assert ("Team Noord", D(2027, 1, 1), D(2027, 1, 31)) in _periods()
    assert not PeriodicReport.objects.filter(programme__name="Zonder").exists()


def test_new_years_day_drafts_nothing(monkeypatch, programmes):
    _at(monkeypatch, dt.datetime(2026, 12, 31, 23, 30))  # 1 January 00:30 in Amsterdam
    assert reports_draft_due() == 0


def test_a_programme_made_after_the_period_gets_no_report_of_it(monkeypatch, programmes):
    monthly, _, _ = programmes
    Programme.objects.filter(pk=monthly.pk).update(
        created_at=timezone.make_aware(dt.datetime(2027, 1, 2, 12))
    )
    _at(monkeypatch, dt.datetime(2027, 1, 4, 9))
    assert reports_draft_due() == 1  # the quarterly one only
    assert not PeriodicReport.objects.filter(programme=monthly).exists()


def test_drafting_twice_keeps_one(programmes):
    monthly = programmes[0]
    first, created = services.report_draft(
        programme=monthly, period_start=D(2026, 10, 1), period_end=D(2026, 10, 31)
    )
    again, created_again = services.report_draft(
        programme=monthly, period_start=D(2026, 10, 1), period_end=D(2026, 10, 31)
    )
    assert created and not created_again and first == again
    assert PeriodicReport.objects.count() == 1


def test_reports_of_other_periods_do_not_count_as_the_due_one(monkeypatch, programmes, world):
    """Reports asked for over the first and the second half of December do not stand in for
    December's monthly report."""
    monthly = programmes[0]
    pl = world.users[Role.PROJECT_LEADER]
    _at(monkeypatch, dt.datetime(2027, 1, 4, 9))
    for start, end in ((D(2026, 12, 1), D(2026, 12, 15)), (D(2026, 12, 16), D(2026, 12, 31))):
        services.report_request(actor=pl, programme=monthly, period_start=start, period_end=end)
    assert reports_draft_due() == 2
    assert PeriodicReport.objects.filter(
        programme=monthly, period_start=D(2026, 12, 1), period_end=D(2026, 12, 31)
    ).exists()
