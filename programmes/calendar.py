"""Working days: the plan of approach and handling times count in them."""

from datetime import date, timedelta


def working_day(day: date) -> date:
    """The day itself, or the Monday after when it falls in a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_working_days(day: date, days: int) -> date:
    """The date `days` working days after `day` (weekends skipped)."""
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
