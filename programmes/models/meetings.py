"""Meetings of a programme and the people invited to them, with a waiting list."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .programme import Programme
from .tenant import TenantModel


class Meeting(TenantModel):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information meeting")
        INTRODUCTION = "introduction", _("Introduction meeting")
        WORKSHOP = "workshop", _("Workshop")
        INSTRUCTION = "instruction", _("Instruction meeting")
        KICKOFF = "kickoff", _("Kickoff")
        TEAM = "team", _("Team meeting")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("The number of places, guests included. Empty: no limit."),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Invitee(TenantModel):
    """A person invited to a meeting, with or without an account.

    The reply link carries a random token of which only the hash is stored; it answers for this
    invitee only.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Coming")
        WAITLISTED = "waitlisted", _("On the waiting list")
        DECLINED = "declined", _("Not coming")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="nl")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED
    )
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    responded_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="one_invitation_per_email")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def seats(self) -> int:
        return 1 + self.guests
