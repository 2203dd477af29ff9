"""The team's notice board: messages from the project leader to the whole team or to chosen
members, shown in the phone app and sent by mail (one mail per member, replies to the author).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .programme import Programme
from .tenant import TenantModel


class TeamMessage(TenantModel):
    """A message on a programme's notice board."""

    class Audience(models.TextChoices):
        TEAM = "team", _("The whole team")
        CHOSEN = "chosen", _("Chosen members")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="team_messages")
    # A message stays on the board (without a name) when its author's account is deleted.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    audience = models.CharField(
        _("to"), max_length=10, choices=Audience.choices, default=Audience.TEAM
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("team message")
        verbose_name_plural = _("team messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["programme", "-created_at", "-id"], name="teammessage_programme_newest"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class TeamMessageRecipient(TenantModel):
    """A member a message was addressed to when it was sent: who sees a message for chosen
    members, whose mail went out (`mailed_at`, so a mail job run again mails nobody twice) and
    when they read it on the board."""

    message = models.ForeignKey(TeamMessage, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_messages"
    )
    mailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="one_recipient_per_message")
        ]
        indexes = [models.Index(fields=["user", "message"], name="teammessage_recipient_user")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.user_id}"
