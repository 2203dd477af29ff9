"""The base models: users, organisations (the tenants), invitations and the audit log.

The consultancy is an organisation too (kind "consultancy"); its clients point to it. Consultancy
staff belong to the consultancy, client staff and team members to their client. Every
tenant-owned model subclasses `TenantModel` (an `organisation` foreign key and a django-scopes
manager), so a query outside an active scope raises instead of leaking.
"""

import uuid

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import CONSULTANCY_ROLES, Role
from .tenant import TenantModel

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hex digits, e.g. #1d4e89.")
)


class Organisation(models.Model):
    """A consultancy or one of its clients; a client is the tenant whose data stays its own."""

    class Kind(models.TextChoices):
        CONSULTANCY = "consultancy", _("Consultancy")
        MUNICIPALITY = "municipality", _("Municipality")
        HOUSING_CORPORATION = "housing_corporation", _("Housing corporation")
        CARE_INSTITUTION = "care_institution", _("Care institution")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    consultancy = models.ForeignKey(
        "self",
        verbose_name=_("consultancy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        limit_choices_to={"kind": "consultancy"},
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    street_address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # The organisation's privacy statement, linked on every form where people give data.
    privacy_statement_url = models.URLField(_("privacy statement (link)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="consultancy", consultancy__isnull=True)
                | (~Q(kind="consultancy") & Q(consultancy__isnull=False)),
                name="client_belongs_to_consultancy",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_consultancy(self) -> bool:
        return self.kind == self.Kind.CONSULTANCY


# The time zones a person can choose: the Netherlands, the Caribbean parts of the Kingdom,
# and the neighbours a volunteer or a client's staff member may work from.
TIME_ZONES = [
    ("Europe/Amsterdam", _("Netherlands (Amsterdam)")),
    ("America/Kralendijk", _("Caribbean Netherlands (Bonaire, Sint Eustatius, Saba)")),
    ("America/Curacao", _("Curaçao")),
    ("America/Aruba", _("Aruba")),
    ("America/Lower_Princes", _("Sint Maarten")),
    ("America/Paramaribo", _("Suriname")),
    ("Europe/Brussels", _("Belgium (Brussels)")),
    ("Europe/London", _("United Kingdom (London)")),
]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.CONSULTANCY_ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. The role and home organisation decide what they may see.

    Users are not tenant-scoped (not a `TenantModel`): authentication must find them before any
    tenant is known.
    Every list of users is filtered by the acting user's organisations in `selectors`.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    assigned_clients = models.ManyToManyField(
        Organisation,
        verbose_name=_("clients"),
        blank=True,
        related_name="project_leaders",
        help_text=_("The clients this project leader works for."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )
    # The person's time zone: when their daily digest comes (the hour they chose, there).
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONES, default="Europe/Amsterdam"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name", "organisation"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "email"]
        indexes = [
            # The users page: each organisation's accounts by name, merged across them
            # (`selectors.user_list_for`), read in order rather than sorted.
            models.Index(fields=["organisation", "name", "id"], name="user_org_name"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_consultancy_staff(self) -> bool:
        return self.role in CONSULTANCY_ROLES

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0]


class Invitation(TenantModel):
    """An invitation to create an account with a role in an organisation.

    The link carries a random token; only its SHA-256 hash is stored, so a database leak does not
    leak usable links. A link works once and expires after INVITATION_VALID_DAYS.
    """

    # Redeclared only to keep its reverse name (TenantModel's is "+"), so no migration is needed.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_clients = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("clients")
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Team members join the team of one programme."),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class AuditEntry(TenantModel):
    """One state change: who did what to which object, in which organisation. Append-only."""

    # Redeclared for its reverse name (TenantModel's is "+") and to keep the log: an
    # organisation with audit entries cannot be deleted (PROTECT).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who acted, as a name: the entry keeps saying so after the account is deleted.
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    @property
    def action_label(self) -> str:
        """What happened, in words (the apps register a label for each action code)."""
        from ..audit import audit_action_label  # noqa: PLC0415 - audit imports the models: circular

        return audit_action_label(self.action)
