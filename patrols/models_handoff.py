"""Hand-off of signals to a client's own system: the channels a client connects (a service
desk's mailbox, a webhook, later Open311), the routes from a category to a channel, and one
`Handoff` record with state per signal and channel, sent the way the outbox sends mail
(claimed under a lock, retried with backoff, swept when a worker was lost).

A webhook channel's secret signs what we send and what the client's system sends back. It is
shown once, when the channel is made, and stored encrypted with a key derived from
SECRET_KEY (`patrols.handoff.secrets`): a copy of the database alone does not give it away.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme, TenantModel

from .models import Signal, SignalCategory


class HandoffChannel(TenantModel):
    """One way into the client's own system."""

    class Kind(models.TextChoices):
        MAIL_DESK = "mail_desk", _("Service desk e-mail address")
        WEBHOOK = "webhook", _("Signed webhook")
        OPEN311 = "open311", _("Open311 (GeoReport v2)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # An e-mail address for a service desk, an https URL for a webhook or Open311 endpoint.
    target = models.CharField(_("address"), max_length=300)
    # The webhook's signing secret, encrypted (never shown after creation, never logged).
    secret_encrypted = models.TextField(blank=True, editable=False)
    # Remote status -> our status, on top of the defaults (patrols.handoff.inbound).
    status_map = models.JSONField(_("status mapping"), default=dict, blank=True)
    # Open311: the jurisdiction the endpoint serves (optional), the services it offered when
    # last fetched ([{"code", "name"}]), and our category id (as text) -> their service_code.
    # The API key is kept in `secret_encrypted`, as a webhook's secret is.
    jurisdiction_id = models.CharField(_("jurisdiction"), max_length=100, blank=True)
    services = models.JSONField(default=list, blank=True, editable=False)
    services_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    service_map = models.JSONField(_("service mapping"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hand-off channel")
        verbose_name_plural = _("hand-off channels")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="handoff_channel_name")
        ]

    def __str__(self) -> str:
        return self.name


class Department(TenantModel):
    """A department of the client (colleagues of its staff): a route may assign its signals
    to it, and its members are told and find them in their list."""

    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="handoff_departments",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="department_name")
        ]

    def __str__(self) -> str:
        return self.name


class CategoryRoute(TenantModel):
    """Signals of a programme (of one category, and its sub-categories, when given) go to a
    channel, and are assigned to a colleague or a department when one is named."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        SignalCategory,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.ForeignKey(
        HandoffChannel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="routes"
    )
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assign_department = models.ForeignKey(
        Department,
        verbose_name=_("assign to department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("category route")
        verbose_name_plural = _("category routes")
        ordering = ["programme_id", "category_id", "id"]

    def __str__(self) -> str:
        return f"{self.category or self.programme} -> {self.channel}"


class Handoff(TenantModel):
    """One signal handed to one channel: sent once, however often it is tried."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENDING = "sending", _("being sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    # Sent along (X-BewonersTeam-Delivery), so a receiver can recognise a resend.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="handoffs")
    channel = models.ForeignKey(HandoffChannel, on_delete=models.PROTECT, related_name="handoffs")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    external_ref = models.CharField(_("reference"), max_length=200, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # Open311: the token a system gives before its service request id exists (resolved later),
    # and the remote status and updated_datetime last taken over, so a status moves us once.
    remote_token = models.CharField(max_length=200, blank=True)
    remote_status = models.CharField(max_length=50, blank=True)
    remote_updated = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["signal", "channel"], name="one_handoff_per_channel")
        ]
        # The sweep: what waits and is due, what is stuck being sent.
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="handoff_due")]

    def __str__(self) -> str:
        return f"{self.signal_id} -> {self.channel_id}"


class HandoffAttempt(TenantModel):
    """One try at a hand-off, as the signal's page shows it: append-only."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("delivered")
        RETRY = "retry", _("will be tried again")
        FAILED = "failed", _("failed")

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # The HTTP status (or the SMTP code) the other side answered; None without an answer.
    status_code = models.PositiveIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.handoff_id} #{self.number}: {self.outcome}"


class InboundSignature(TenantModel):
    """A signature an inbound status message carried, kept for the replay window: the same
    signed message sent again is refused."""

    channel = models.ForeignKey(HandoffChannel, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "signature"], name="inbound_seen_once")
        ]

    def __str__(self) -> str:
        return self.signature[:12]
