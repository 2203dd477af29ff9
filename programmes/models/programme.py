"""A programme: one BewonersTeam in one neighbourhood for one client, with its intake."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..workflow import MembershipState
from .base import Organisation
from .tenant import TenantModel


class Programme(TenantModel):
    # Redeclared: a client with programmes cannot be deleted (PROTECT), the key is labelled
    # "client", and `organisation.programmes` is read.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("client"), on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=200)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100)
    postcode_areas = models.CharField(
        _("postcode areas"),
        max_length=200,
        blank=True,
        help_text=_("Four-digit postcode areas, separated by commas, e.g. 3081, 3082."),
    )
    start_date = models.DateField(_("start date"))
    project_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project leaders"),
        related_name="led_programmes",
    )
    client_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("client contacts"),
        related_name="contact_programmes",
        blank=True,
    )
    # Intake (gesprek met opdrachtgever)
    vision = models.TextField(_("the client's vision"), blank=True)
    starting_points = models.TextField(_("starting points"), blank=True)
    intake_completed_at = models.DateTimeField(_("intake completed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-start_date", "name"]
        indexes = [
            # The workspace: each client's programmes by name, merged across clients
            # (`selectors.workspace_programmes_for`), read in order rather than sorted.
            models.Index(fields=["organisation", "name", "id"], name="programme_org_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Goal(TenantModel):
    """A goal of the team, measurable where possible."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(
        _("how we measure it"),
        max_length=300,
        blank=True,
        help_text=_("For example: fewer reports of bulky waste than last year."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class Partner(TenantModel):
    """Someone the team works with: huismeester, wijkbeheerder, wijkagent, welzijn..."""

    class Role(models.TextChoices):
        CARETAKER = "caretaker", _("Caretaker (huismeester)")
        NEIGHBOURHOOD_MANAGER = "neighbourhood_manager", _("Neighbourhood manager (wijkbeheerder)")
        SOCIAL_MANAGEMENT = "social_management", _("Social management (sociaal beheer)")
        COMMUNITY_OFFICER = "community_officer", _("Community police officer (wijkagent)")
        WELFARE = "welfare", _("Welfare work (welzijn)")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    partner_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(TenantModel):
    """A volunteer on the team roster of a programme.

    Whether a member may walk rounds lives here (`ready_for_rounds`), so the patrols app reads
    the roster and never depends on how readiness is earned (the training track sets it, or a
    project leader overrides it with a reason).

    Membership has states (`programmes.workflow`): active, paused until a date, or left
    (with the date, a reason and whether the gear came back); each move is a
    `MembershipEvent`. `is_active` means "on the team" (active or paused) and is kept equal
    to the state by the membership services: the roster reads it. Who is scheduled, reminded
    and held to the effort obligation is `programmes.selectors.schedulable_members`.
    `cohort` is the number of the training cohort the member was trained with (1: the
    founding team; newcomers recruited later form the next).
    """

    # PROTECT: the roster is the programme's history (who was on the team, and when).
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)
    ready_for_rounds = models.BooleanField(_("ready for rounds"), default=False)
    ready_reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("Why the member may walk rounds before finishing the training track."),
    )
    state = models.CharField(
        _("membership"),
        max_length=10,
        choices=MembershipState.choices,
        default=MembershipState.ACTIVE,
    )
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=300, blank=True)
    gear_returned = models.BooleanField(_("gear returned"), default=False)
    stop_requested_at = models.DateTimeField(_("wants to stop since"), null=True, blank=True)
    stop_message = models.CharField(_("message"), max_length=500, blank=True)
    cohort = models.PositiveSmallIntegerField(_("cohort"), default=1)
    # The member's consent to show the client their full name and e-mail address (set by the
    # member in the app, `member_contact_share`); without it the client's staff see the
    # first name only (`programmes.selectors.sharing.name_for`).
    contact_shared_at = models.DateTimeField(
        _("contact details shared with the client since"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team")
        ordering = ["user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user"], name="one_membership_per_programme"
            )
        ]
        indexes = [
            # The team's pages (effort, roster): a programme's active members, counted and
            # found from the index alone (the tenant's filter included).
            models.Index(
                fields=["organisation", "programme", "is_active", "user"],
                name="teammember_programme_active",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class MembershipEvent(TenantModel):
    """One step in a membership's history (paused, resumed, left, rejoined): append-only."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_state = models.CharField(max_length=10, choices=MembershipState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=MembershipState.choices)
    until = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"
