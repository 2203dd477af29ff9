"""The mail outbox: one row per message, so nothing is lost and every message can be seen."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .programme import Programme
from .tenant import TenantModel


class OutboxMessage(TenantModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Will be retried")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.CharField(max_length=100)
    to_email = models.EmailField(_("to"))
    to_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default="nl")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachment = models.ForeignKey(
        "programmes.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A generated document sent along (a certificate).",
    )
    # Stored files sent along (a signal's photos to a service desk): a list of
    # {"path": name in the default storage, "name": file name, "type": MIME type}; one that is
    # gone by the time the mail goes out is left out.
    files = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    send_after = models.DateTimeField(
        _("held until"),
        null=True,
        blank=True,
        help_text="Not sent before this moment: the decision can be undone until then.",
    )
    # Extra mail headers (List-Unsubscribe of a notification); only the names the MIME
    # builder allows are used.
    headers = models.JSONField(default=dict, blank=True)
    ref = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="What the message is about (a decision), so an undo can find it.",
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # A programme's mail page: its messages newest first, counted and cut into pages
            # from the index alone (the tenant's filter included), no sort of every message.
            models.Index(
                fields=["organisation", "programme", "-created_at", "-id"],
                name="outbox_programme_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"

    @property
    def message_id(self) -> str:
        """A stable Message-ID: a resend after a crash carries the same id, so receiving
        servers and clients can recognise the duplicate."""
        return f"<{self.uuid}@bewonersteam>"
