"""Generated documents (PDFs): a row tracks kind, state and file, so pages can show
"being made" and then the link.

The kinds are not listed here: each app registers its own (`programmes.registry.DocumentKind`,
with label and builder), so the base names no feature of the apps built on it.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..registry import (
    DOCUMENT_KIND_MAX_LENGTH,
    document_kind_choices,
    document_kind_label,
    document_label,
)
from .programme import Programme
from .tenant import TenantModel

# The base's own kind of document; the apps' kinds are constants in the apps that own them.
PLAN_OF_APPROACH = "plan"


class Document(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=DOCUMENT_KIND_MAX_LENGTH, choices=document_kind_choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    ref = models.CharField(
        max_length=64,
        blank=True,
        help_text="What the document is about, when a programme has several (a survey's id).",
    )
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        help_text="The person the document is for (a certificate's holder), who may download it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The making of the PDF, so a lost or dead attempt is noticed and made again: when it was
    # (last) asked for, how many attempts started, and when the latest one started.
    queued_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]

    # Pending this long since asked for: the page says it takes longer than usual.
    SLOW_AFTER = timedelta(minutes=2)

    def __str__(self) -> str:
        return f"{self.kind_label} {timezone.localtime(self.created_at):%Y-%m-%d}"

    @property
    def kind_label(self) -> str:
        """What kind of document this is, for people: the registered label, or a neutral
        word for a kind no app registers (any more), never the raw code."""
        return document_kind_label(self.kind)

    @property
    def label(self) -> str:
        """This one document for people: what its kind says of it ("Rapportage oktober
        2026"), or the kind's label."""
        return document_label(self)

    def get_kind_display(self) -> str:
        """The same as `kind_label`, under the name Django gives a field with choices (pages
        and mails use it); replaces Django's, which shows an unknown code as it is."""
        return self.kind_label

    @property
    def taking_long(self) -> bool:
        """Still being made after longer than it normally takes (an attempt failed and is
        tried again, or the task waits to be handed over): the page says so honestly."""
        return self.status == self.Status.PENDING and (
            self.attempts > 1 or self.queued_at < timezone.now() - self.SLOW_AFTER
        )

    @property
    def filename(self) -> str:
        """The name of the stored file (internal)."""
        return f"{self.kind}-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.pdf"

    @property
    def download_name(self) -> str:
        """The name people see when they download or receive the PDF, in the active language:
        "plan-van-aanpak-tarwewijk.pdf", "certificaat-ria-de-boer.pdf",
        "rapportage-oktober-2026-tarwewijk.pdf" (its `label`, then what it is about)."""
        if self.owner_id:
            about = self.owner.name
        elif self.programme_id:
            about = self.programme.neighbourhood or self.programme.name
        else:
            about = ""
        name = slugify(f"{self.label} {about}") or self.kind
        return f"{name}.pdf"
