"""Summary tables that keep the dashboards fast over years of data, kept up to date by tasks.

Each table holds, per programme and Amsterdam calendar day, the counts the dashboard adds up
for a period (a year of a million signals is a few thousand summary rows):

- `SignalDaySummary`: signals reported that day, by category and by their status now;
- `SignalClosedSummary`: signals whose last close fell on that day, by category and by whole
  days taken (report date to close date), with how many closed by their due date;
- `SignalOpenSummary`: the signals open now, per due date (open and overdue now);
- `SignalCellSummary`: signals with a position reported in a calendar month, by grid cell
  (the map's hot spots). Per month, not per day: a city's signals spread over a few hundred
  cells, so cells per day would be nearly as many rows as signals.

A (programme, day) cell (for the map: the month around it) is always rewritten whole
(delete, then insert the aggregates) in one transaction, so a run cut off halfway leaves
every cell either old or new, never half; the refresh state (`SummaryState`) only moves on
once all cells of a run are written. The task module (`reporting.tasks.summary`) and
`reporting.services.summary` keep them.
"""

from django.db import models
from django.db.models import Q

from programmes.models import Programme, TenantModel

__all__ = [
    "SignalCellSummary",
    "SignalClosedSummary",
    "SignalDaySummary",
    "SignalOpenSummary",
    "SummaryState",
]

# The grid of the hot spots: a cell is 1/500 degree of latitude (about 220 m) by 1/300 degree
# of longitude (about 230 m at 52° north).
CELL_LAT = 500
CELL_LNG = 300


# The grains of the day and close summaries: a day's own rows, and the same summed per ISO
# week (`day`: its Monday) and per calendar month (`day`: its first), so a year per month
# reads a few hundred rows instead of every day's.
DAY, WEEK, MONTH = "d", "w", "m"
GRAINS = [(DAY, "day"), (WEEK, "week"), (MONTH, "month")]


class SignalDaySummary(TenantModel):
    """Signals of a programme reported on one Amsterdam day (or week, or month: `grain`), per
    category and status now."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=1, choices=GRAINS, default=DAY)
    day = models.DateField()
    category = models.ForeignKey(
        "patrols.SignalCategory", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=20)
    signals = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["programme", "grain", "day"], name="rep_signalday_prog_grain")
        ]


class SignalClosedSummary(TenantModel):
    """Signals of a programme whose last close fell on one Amsterdam day (or week, or month:
    `grain`), per category and whole days taken; `on_time` of them closed on or before their
    due date."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=1, choices=GRAINS, default=DAY)
    day = models.DateField()
    category = models.ForeignKey(
        "patrols.SignalCategory", on_delete=models.CASCADE, related_name="+"
    )
    days_taken = models.IntegerField()
    signals = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["programme", "grain", "day"], name="rep_signalclosed_prog_grain")
        ]


class SignalCellSummary(TenantModel):
    """Signals with a position of a programme reported in one Amsterdam calendar month (`month`:
    its first day), per grid cell (`floor(latitude * CELL_LAT)`, `floor(longitude * CELL_LNG)`)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    cell_lat = models.IntegerField()
    cell_lng = models.IntegerField()
    signals = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["programme", "month"], name="rep_signalcell_prog_month")]


class SignalOpenSummary(TenantModel):
    """Open signals of a programme per due date: "open now" is their sum, "overdue" the sum
    before today (a third of a million open signals would otherwise be counted per request)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    signals = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["programme", "due_date"], name="rep_signalopen_prog_due")]


class SummaryState(models.Model):
    """Where the summaries' refresh stands, across tenants (one row, `key="signals"`).

    `refreshed_until`: every change before this moment is in the summaries (the dashboard's
    "figures as of"); `running_since`: a run in progress (or one cut off: the next run after
    `STALE_RUN` takes over); `rebuilt_at`: the last full rebuild that finished.
    """

    key = models.CharField(max_length=30, unique=True)
    refreshed_until = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(key=""), name="summarystate_key_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.key} until {self.refreshed_until}"
