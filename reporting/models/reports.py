"""The periodic report of a programme: a draft, approved by the project leader, then sent.

`ReportSchedule` says how often a programme gets one (monthly, quarterly or not at all); the
beat drafts `PeriodicReport` rows for the period just ended, the project leader adds a
commentary and highlights and approves, and the approved report's PDF (a `Document`) is mailed
to the client's contacts once it is made. One report per programme and period (a constraint),
so a beat that runs several times a day, or twice at once, drafts it once.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Document, Programme, TenantModel

__all__ = ["PeriodicReport", "ReportSchedule"]

# The document kind of a report's PDF (registered in the app's `ready()`).
PERIODIC_REPORT = "periodic_report"

# The most highlights one report carries, and the longest commentary.
HIGHLIGHTS_MAX = 6
COMMENTARY_MAX = 5000


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    OFF = "off", _("No periodic report")


class ReportSchedule(TenantModel):
    """How often a programme's periodic report is drafted (no row: none)."""

    Frequency = Frequency

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="report_schedule"
    )
    frequency = models.CharField(
        _("periodic report"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report schedule")
        indexes = [models.Index(fields=["frequency"], name="rep_schedule_frequency")]

    def __str__(self) -> str:
        return f"{self.programme}: {self.get_frequency_display()}"


class PeriodicReport(TenantModel):
    """One programme's report over one period (`period_start` to `period_end`, both days
    included; queries read it as the half-open range up to the day after the end)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved, being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="periodic_reports"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    commentary = models.TextField(_("commentary"), max_length=COMMENTARY_MAX, blank=True)
    # Ids of signals resolved in the period the project leader picked (at most HIGHLIGHTS_MAX).
    highlights = models.JSONField(default=list, blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked for it; empty when the beat drafted it.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["-period_start", "-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_start", "period_end"],
                name="rep_report_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="rep_report_period_order"
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "-period_start"], name="rep_report_prog_newest"),
            models.Index(fields=["status"], name="rep_report_status"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
