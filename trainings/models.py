"""The training track of a programme, the workshop's assessment and the certificates.

A certificate's code is random (80 bits, shown in groups) so it cannot be guessed; the public
verification page shows only the holder's name, the certificate, the date and its validity.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from programmes.models import Document, Meeting, Organisation, Programme

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from paper


def new_certificate_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Training(models.Model):
    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", _("Introduction meeting")
        WORKSHOP = "workshop", _("Workshop Effective Communication")
        INSTRUCTION = "instruction", _("Instruction meeting")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="training")
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["meeting__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="one_training_of_each_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Assessment(models.Model):
    """The trainer's verdict on one participant of the workshop."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="assessments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["training", "user"], name="one_assessment_each")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {'passed' if self.passed else 'not passed'}"


class Certificate(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="certificates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    assessment = models.OneToOneField(
        Assessment, on_delete=models.SET_NULL, null=True, related_name="certificate"
    )
    title = models.CharField(_("certificate"), max_length=200, default="Effectief Communiceren")
    holder_name = models.CharField(_("holder"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    code = models.CharField(
        max_length=19, unique=True, default=new_certificate_code, editable=False
    )
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "holder_name"]

    def __str__(self) -> str:
        return f"{self.title}: {self.holder_name}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
