"""Privacy records: each retention run and what it removed, a client's retention terms, and
the requests about a person's data (export, erasure) with who handled them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tenant import TenantModel


class RetentionRun(models.Model):
    """One run of the retention rules over every organisation: when, and per rule how many
    rows it deleted or anonymised (`counts`, {rule code: n}). Holds no personal data."""

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class RetentionSetting(TenantModel):
    """A client's own term for one retention rule, in days, within the rule's bounds."""

    rule = models.CharField(max_length=64)
    days = models.PositiveIntegerField(_("days"))

    class Meta:
        verbose_name = _("retention term")
        verbose_name_plural = _("retention terms")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule"], name="one_retention_term_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.days}"


class PrivacyRequest(TenantModel):
    """A request about one person's data: an export or an erasure. A person asks for erasure
    from the app (pending until the admin handles it); the admin's exports and erasures are
    logged here as done. `subject` is the e-mail address or name looked for; an erasure
    replaces it, so the log keeps what was removed (`counts`) and not whom."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erasure")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Handled")

    action = models.CharField(_("request"), max_length=16, choices=Action.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    subject = models.CharField(_("person"), max_length=254)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"
