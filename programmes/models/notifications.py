"""Notifications: what a person is told (in the app, by mail at once or in a daily digest),
their choices per kind, and the record that a digest went out for a period.

The kinds are not listed here: apps register theirs (`programmes.notification_kinds`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..notification_kinds import (
    AT_ONCE,
    DEFAULT_DIGEST_HOUR,
    DIGEST,
    KIND_MAX_LENGTH,
    notification_kind_label,
)
from .tenant import TenantModel

MODE_CHOICES = [(AT_ONCE, _("At once")), (DIGEST, _("Daily digest"))]


class Notification(TenantModel):
    """One thing told to one person, in the organisation it is about."""

    class Mail(models.TextChoices):
        NONE = "none", _("No mail")
        QUEUED = "queued", _("Mailed at once")
        DIGEST = "digest", _("Waiting for the digest")
        DIGESTED = "digested", _("In a digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=1000, blank=True)
    # A path on the site ("/portal/.../signals/12/"); mails make it absolute.
    url = models.CharField(max_length=500, blank=True)
    # False when the person wants this kind by mail only: the row then only carries the mail.
    in_app = models.BooleanField(default=True)
    mail = models.CharField(max_length=10, choices=Mail.choices, default=Mail.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The event it is about ("signal-urgent:12"): a person hears of one event once.
    dedupe_key = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list: mine, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_mine"),
            # The badge: my unread, counted from a small partial index.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notification_unread",
            ),
            # The digest runner: what waits for a digest.
            models.Index(
                fields=["recipient", "kind"],
                condition=Q(mail="digest"),
                name="notification_digest_wait",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def kind_label(self) -> str:
        return notification_kind_label(self.kind)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A person's choice for one kind; without a row the kind's defaults apply.

    Not tenant-scoped: a choice belongs to the person, whichever client a notification is
    about, and the unsubscribe link reaches it without a login and without a tenant.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)
    mode = models.CharField(_("when"), max_length=10, choices=MODE_CHOICES, default=AT_ONCE)
    digest_hour = models.PositiveSmallIntegerField(
        _("digest at"), default=DEFAULT_DIGEST_HOUR, help_text=_("Hour of the day (0-23).")
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(digest_hour__gte=0, digest_hour__lte=23),
                name="notification_digest_hour_in_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class NotificationDigest(TenantModel):
    """That one person's digest of one kind went out for one period (a day in their time
    zone): the unique row is what makes a digest go once, however often the beat fires."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    period = models.DateField()
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "recipient", "kind", "period"],
                name="notification_digest_once_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind} {self.period}"
