"""The periods of the periodic report and the working days it is drafted on, in Amsterdam's
calendar: plain date arithmetic, no database.

A monthly report covers the month before, a quarterly one the quarter before; both are due
from the first working day of the month (or quarter) that follows: Monday to Friday, and not a
fixed Dutch public holiday (New Year's Day, King's Day, Christmas Day and Boxing Day).
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from .models.reports import Frequency

# The longest period a report may be asked for (a year, a leap one included).
PERIOD_MAX_DAYS = 366


def kings_day(year: int) -> datetime.date:
    """27 April, or the Saturday before when the 27th is a Sunday."""
    day = datetime.date(year, 4, 27)
    return day - datetime.timedelta(days=1) if day.weekday() == 6 else day


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not New Year's Day, King's Day or Christmas."""
    if day.weekday() >= 5:
        return False
    fixed = {(1, 1), (12, 25), (12, 26)}
    return (day.month, day.day) not in fixed and day != kings_day(day.year)


def first_working_day(year: int, month: int) -> datetime.date:
    """The first working day of a month."""
    day = datetime.date(year, month, 1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def month_period(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a month."""
    start = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return start, following - datetime.timedelta(days=1)


def quarter_period(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of quarter 1 to 4 of a year."""
    first_month = 3 * (quarter - 1) + 1
    start, _ = month_period(year, first_month)
    _, end = month_period(year, first_month + 2)
    return start, end


def period_before(frequency: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last whole period before the one `today` lies in."""
    if frequency == Frequency.QUARTERLY:
        quarter = (today.month - 1) // 3 + 1
        if quarter == 1:
            return quarter_period(today.year - 1, 4)
        return quarter_period(today.year, quarter - 1)
    if today.month == 1:
        return month_period(today.year - 1, 12)
    return month_period(today.year, today.month - 1)


def due_period(
    frequency: str, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date] | None:
    """The period whose report is due on `today` (Amsterdam's date when None): the one before
    the current period, once the first working day of the current period has come; None before
    that day and for a programme without periodic reports."""
    if frequency not in (Frequency.MONTHLY, Frequency.QUARTERLY):
        return None
    today = today or timezone.localdate()
    start, end = period_before(frequency, today)
    # The current period begins the day after the previous one ends.
    following = end + datetime.timedelta(days=1)
    if today < first_working_day(following.year, following.month):
        return None
    return start, end


def period_label(start: datetime.date, end: datetime.date) -> str:
    """The period in words, in the active language: "October 2026" for a calendar month,
    "quarter 3 2026" for a calendar quarter, "2026" for a calendar year, else the two days."""
    if start.day == 1 and month_period(start.year, start.month)[1] == end:
        return date_format(start, "F Y")
    if start.day == 1 and start.month % 3 == 1 and start.year == end.year:
        quarter = (start.month - 1) // 3 + 1
        if quarter_period(start.year, quarter)[1] == end:
            return gettext("quarter %(quarter)s %(year)s") % {
                "quarter": quarter,
                "year": start.year,
            }
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"
