"""The training track of a programme, the workshop's assessment and the certificates.

A certificate's code is random (80 bits, shown in groups) so it cannot be guessed; the public
verification page shows only the holder's name, the certificate, the date and its validity.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Document, Meeting, Programme, TenantModel

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from paper


def new_certificate_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Cohort(TenantModel):
    """A group of members trained together: the founding team is cohort 1, newcomers recruited
    while the team keeps walking form the next, each with its own track of three meetings and
    the same certificate. A member's cohort is `TeamMember.cohort` (its number)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="one_cohort_per_number")
        ]

    def __str__(self) -> str:
        return self.name


class Training(TenantModel):
    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", _("Introduction meeting")
        WORKSHOP = "workshop", _("Workshop Effective Communication")
        INSTRUCTION = "instruction", _("Instruction meeting")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="trainings")
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="training")
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting__starts_at"]
        constraints = [
            # One track per cohort: a second cohort (newcomers) has its own three meetings.
            models.UniqueConstraint(
                fields=["programme", "cohort", "kind"], name="one_training_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Assessment(TenantModel):
    """The trainer's verdict on one participant of the workshop."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="assessments")
    # The verdict is history: it stays (anonymous) when the account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["training", "user"], name="one_assessment_each")
        ]

    def __str__(self) -> str:
        verdict = _("passed") if self.passed else _("not passed")
        return f"{self.user}: {verdict}"


class Certificate(TenantModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="certificates")
    # A certificate outlives its holder's account: its code keeps verifying on the stored
    # `holder_name`, so deleting the account only unlinks it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
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

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "holder_name"]

    def __str__(self) -> str:
        return f"{self.title}: {self.holder_name}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class TeamRules(TenantModel):
    """The rules of the game and the effort obligation as presented at the instruction
    meeting; members accept this text in the app."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="rules")
    text = models.TextField(_("the rules of the team"))
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.programme)


class RulesAcceptance(TenantModel):
    """A member accepted the rules: the exact text is kept with the moment."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.user} {timezone.localtime(self.accepted_at):%Y-%m-%d}"


class Gear(TenantModel):
    """What a member receives at the kickoff, with the sizes they chose in the app."""

    class Size(models.TextChoices):
        XS = "XS", "XS"
        S = "S", "S"
        M = "M", "M"
        L = "L", "L"
        XL = "XL", "XL"
        XXL = "XXL", "XXL"
        XXXL = "3XL", "3XL"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="gear")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bodywarmer_size = models.CharField(
        _("bodywarmer size"), max_length=4, choices=Size.choices, blank=True
    )
    shirt_size = models.CharField(_("shirt size"), max_length=4, choices=Size.choices, blank=True)
    bodywarmer_given = models.BooleanField(_("bodywarmer handed out"), default=False)
    shirt_given = models.BooleanField(_("shirt handed out"), default=False)
    certificate_given = models.BooleanField(_("certificate handed out"), default=False)
    folder_given = models.BooleanField(_("information folder handed out"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="one_gear_each")]

    def __str__(self) -> str:
        return f"{self.user}"


class StreetAssignment(TenantModel):
    """A street of the neighbourhood where a member delivers the introduction flyer."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="street_assignments"
    )
    street = models.CharField(_("street"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["street"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "street"], name="one_member_per_street")
        ]

    def __str__(self) -> str:
        return self.street


class TeamIntroduction(TenantModel):
    """What the neighbourhood gets to see of the new team: its photo and how to reach it."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="team_introduction"
    )
    photo = models.ImageField(_("team photo"), upload_to="teams/", blank=True)
    contact = models.TextField(
        _("how to reach the team"), default="bewonersteam@voorbeeld.nl\nSpreek ons aan in de wijk!"
    )

    def __str__(self) -> str:
        return str(self.programme)
