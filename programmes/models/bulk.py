"""Bulk actions run in the background (inviting a thousand people): a row per job records its
kind, its items (ids only), how far it got and how it ended, so a page can show a progress bar
and a sweep can pick up a job a lost task or a dead worker left behind.

The kinds are not listed here: apps register theirs (`programmes.registry.BulkKind`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..registry import BULK_KIND_MAX_LENGTH, bulk_kind_label, bulk_kind_progress
from .programme import Programme
from .tenant import TenantModel


class BulkJob(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=BULK_KIND_MAX_LENGTH)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="bulk_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # What the job is about (a meeting's id) and its items (ids only): bounded by the service.
    payload = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Items [0, position) are processed: a chunk re-run after a dead worker starts here.
    position = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="What went wrong, for the person who asked.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # The latest sign of life of the task working on it (a chunk done): what the sweep reads.
    touched_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.done}/{self.total}"

    @property
    def kind_label(self) -> str:
        return bulk_kind_label(self.kind)

    @property
    def progress_text(self) -> str:
        """ "12 of 30 sent" (or the kind's own words), pluralised on the total."""
        return bulk_kind_progress(self.kind, done=self.done, total=self.total)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if not self.is_open else 0
        return min(100, round(100 * (self.done + self.failed) / self.total))
