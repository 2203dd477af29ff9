"""A large export made in the background: the row is the record of the work (who asked, what,
how far it got, how it ended, the file and until when it is kept), the queued task only a
nudge, so a lost task or a dead worker is picked up by the sweep and every job ends ready or
visibly failed.

Why a model of its own rather than the base's `Document` or `BulkJob`: a document is a PDF
made from a template and a context, shown on the documents page to whoever reads the
programme; a bulk job works through a list of ids in chunks and has no file. An export is a
file of rows streamed from a query, for the one person who asked (the data leaves the product
through them: nobody else may download it, not even a colleague of the same client), kept
only a week.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme
from programmes.models.tenant import TenantModel

__all__ = ["ExportJob"]


class ExportJob(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dataset = models.CharField(max_length=20)
    file_format = models.CharField(max_length=4)
    # The export's filters as plain values: the period's days (ISO), status, category.
    filters = models.JSONField(default=dict, blank=True)
    # The same request (person, dataset, format, filters) within a minute finds this job.
    request_key = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(default=0)  # the rows counted when it was asked for
    done = models.PositiveIntegerField(default=0)  # the rows written by the current attempt
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    download_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The latest sign of life of the attempt (its start, then every few thousand rows).
    attempted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dedupe look-up and the requester's own jobs.
            models.Index(
                fields=["organisation", "requested_by", "request_key", "-created_at"],
                name="exportjob_requester_key",
            ),
            # The sweep: pending jobs to requeue, ready ones to expire.
            models.Index(fields=["status", "attempted_at"], name="exportjob_status_attempt"),
            models.Index(fields=["status", "expires_at"], name="exportjob_status_expiry"),
        ]

    # Pending this long since asked for: the page says it takes longer than usual.
    SLOW_AFTER = timedelta(minutes=2)

    def __str__(self) -> str:
        return self.download_name or f"export {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    @property
    def taking_long(self) -> bool:
        return self.is_open and (
            self.attempts > 1 or self.queued_at < timezone.now() - self.SLOW_AFTER
        )
