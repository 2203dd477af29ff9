"""The base app's personal data: its register entries, the fields that hold none, its
retention rules (mail bodies, login-code mails, audit entries, members who left) and where a
person's account, invitations, meeting replies and mail are found, exported and erased.
Registered from `ProgrammesConfig.ready()` like every app's `privacy.py`."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import privacy as p
from .models import (
    AuditEntry,
    Document,
    Invitation,
    Invitee,
    Notification,
    OutboxMessage,
    Partner,
    TeamMember,
    User,
)

# An erased account keeps a unique address that is no one's.
ERASED_DOMAIN = "@verwijderd.invalid"

# Words shared by several entries.
WORKSPACE = _("Consultancy and project leader")
WORKSPACE_AND_CLIENT = _("Consultancy, project leader and the client's staff")
ADMIN_ONLY = _("Consultancy admin")
WHILE_ACTIVE = _("While the account is in use; anonymised some months after leaving")
FREE_TEXT = _("Notes and texts that may name people")

NOT_PERSONAL = {
    "programmes.Organisation": (
        "name",
        "slug",
        "kind",
        "logo",
        "brand_colour",
        "street_address",
        "postcode",
        "city",
        "privacy_statement_url",
    ),
    "programmes.User": ("password", "role", "language", "time_zone"),
    "programmes.Invitation": ("role", "language", "token_hash"),
    "programmes.AuditEntry": ("action", "object_type", "object_id"),
    "programmes.Programme": (
        "name",
        "neighbourhood",
        "municipality",
        "postcode_areas",
        "vision",
        "starting_points",
    ),
    "programmes.Goal": ("description", "measure"),
    "programmes.Partner": ("partner_organisation", "role"),
    "programmes.TeamMember": ("state",),
    "programmes.MembershipEvent": ("from_state", "to_state"),
    "programmes.TeamMessage": ("audience",),
    "programmes.BulkJob": ("kind", "status", "error"),
    "programmes.Document": ("kind", "status", "ref", "error"),
    "programmes.Evaluation": ("kind", "status"),
    "programmes.EvaluationEvent": ("from_status", "to_status"),
    "programmes.Action": ("status", "source"),
    "programmes.Meeting": ("kind", "title", "location"),
    "programmes.Invitee": ("language", "token_hash", "status"),
    "programmes.MeetingSeries": ("title", "location", "description", "rule"),
    "programmes.Agreement": ("status",),
    "programmes.Notification": ("kind", "url", "mail", "dedupe_key"),
    "programmes.NotificationPreference": ("kind", "mode"),
    "programmes.NotificationDigest": ("kind",),
    "programmes.OutboxMessage": ("template", "language", "status", "last_error", "ref"),
    "programmes.TemplateMilestone": ("phase", "title", "key"),
    "programmes.Milestone": ("phase", "title", "key"),
    "programmes.ProgressEvent": ("event",),
    "programmes.RetentionRun": ("counts",),
    "programmes.RetentionSetting": ("rule",),
    "programmes.PrivacyRequest": ("action", "status", "counts"),
    "programmes.ReadEntry": ("reader_role", "what", "subject_type", "subject_id", "where"),
}


def _entries():
    def e(model, kind, fields, purpose, ground, retention, seen_by, **words):
        return p.PersonalData(
            model, kind, tuple(fields), purpose, ground, retention, seen_by, **words
        )

    return [
        e(
            "programmes.User",
            p.MEMBER,
            ("name", "email"),
            _("Logging in, addressing people in the app and in mail"),
            p.CONTRACT,
            WHILE_ACTIVE,
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.Invitation",
            p.STAFF,
            ("name", "email"),
            _("Inviting someone to an account"),
            p.CONTRACT,
            _("Until accepted or expired"),
            ADMIN_ONLY,
        ),
        e(
            "programmes.Organisation",
            p.CLIENT_CONTACT,
            ("contact_name", "contact_email", "contact_phone"),
            _("Contact with the client"),
            p.CONTRACT,
            _("During the assignment"),
            WORKSPACE,
        ),
        e(
            "programmes.Partner",
            p.CLIENT_CONTACT,
            ("name", "email", "phone"),
            _("Working with the programme's partners"),
            p.LEGITIMATE_INTEREST,
            _("During the programme"),
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.AuditEntry",
            p.STAFF,
            ("actor_name", "object_repr", "data"),
            _("Accountability: who changed what, and when"),
            p.LEGITIMATE_INTEREST,
            _("Deleted after the audit term"),
            ADMIN_ONLY,
            label=_("Audit log entry"),
            fields_label=_("who acted, what it was about, details"),
        ),
        e(
            "programmes.TeamMember",
            p.MEMBER,
            ("ready_reason", "left_reason", "stop_message"),
            _("The team roster and a member's state"),
            p.CONTRACT,
            WHILE_ACTIVE,
            WORKSPACE,
        ),
        e(
            "programmes.MembershipEvent",
            p.MEMBER,
            ("reason",),
            _("History of a member's state"),
            p.CONTRACT,
            WHILE_ACTIVE,
            WORKSPACE,
            label=_("Step in a membership"),
            fields_label=_("reason"),
        ),
        e(
            "programmes.TeamMessage",
            p.MEMBER,
            ("subject", "body"),
            _("Messages to the team"),
            p.CONTRACT,
            _("During the programme"),
            _("Project leader and the team"),
        ),
        e(
            "programmes.BulkJob",
            p.STAFF,
            ("payload",),
            _("Names and addresses typed in to invite people"),
            p.LEGITIMATE_INTEREST,
            _("Until the job is done"),
            WORKSPACE,
            label=_("Bulk action"),
            fields_label=_("the names and addresses typed in"),
        ),
        e(
            "programmes.Document",
            p.MEMBER,
            ("file",),
            _("Certificates and documents made for a person"),
            p.CONTRACT,
            _("During the programme"),
            _("The holder and the consultancy"),
            label=_("Document"),
            fields_label=_("the file"),
        ),
        e(
            "programmes.Evaluation",
            p.MEMBER,
            ("went_well", "to_improve", "agreements", "client_input"),
            FREE_TEXT,
            p.CONTRACT,
            _("During the programme"),
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.Action",
            p.MEMBER,
            ("title", "description", "owner"),
            FREE_TEXT,
            p.CONTRACT,
            _("During the programme"),
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.ProgrammeClosure",
            p.MEMBER,
            ("note",),
            FREE_TEXT,
            p.CONTRACT,
            _("During the programme"),
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.Meeting",
            p.MEMBER,
            ("description", "agenda", "notes"),
            FREE_TEXT,
            p.CONTRACT,
            _("During the programme"),
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.Invitee",
            p.MEMBER,
            ("name", "email"),
            _("Inviting people to a meeting and counting who came"),
            p.LEGITIMATE_INTEREST,
            _("During the programme; anonymised with the person"),
            WORKSPACE,
        ),
        e(
            "programmes.Agreement",
            p.MEMBER,
            ("text", "owner_name"),
            FREE_TEXT,
            p.CONTRACT,
            _("During the programme"),
            WORKSPACE_AND_CLIENT,
        ),
        e(
            "programmes.Notification",
            p.STAFF,
            ("title", "body"),
            _("Telling people about events in the app"),
            p.LEGITIMATE_INTEREST,
            _("Deleted after some months"),
            _("The person notified"),
        ),
        e(
            "programmes.OutboxMessage",
            p.STAFF,
            ("to_email", "to_name", "subject", "body_text", "body_html", "files", "headers"),
            _("Sending mail and showing that it was sent"),
            p.LEGITIMATE_INTEREST,
            _("Bodies emptied after some weeks; login-code mails deleted after a day"),
            ADMIN_ONLY,
            label=_("Mail sent"),
            fields_label=_("recipient, subject, text, attachments"),
        ),
        e(
            "programmes.PrivacyRequest",
            p.STAFF,
            ("subject",),
            _("Handling a person's request about their data"),
            p.LEGAL_OBLIGATION,
            _("The person is replaced once their data is erased"),
            ADMIN_ONLY,
        ),
        e(
            "programmes.ReadEntry",
            p.STAFF,
            ("reader_name", "subject_email"),
            _("Accountability: who looked at whose details"),
            p.LEGITIMATE_INTEREST,
            _("Deleted after the audit term"),
            ADMIN_ONLY,
            label=_("Read log entry"),
            fields_label=_("who looked, whose e-mail address"),
        ),
    ]


# Retention rules ----------------------------------------------------------------------------


def outbox_bodies_empty(*, organisation, cutoff) -> int:
    """Sent or cancelled mail older than the term keeps who, what subject and when, not the
    body or attachments."""
    old = OutboxMessage.objects.filter(
        organisation=organisation,
        created_at__lt=cutoff,
        status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.CANCELLED],
    ).exclude(body_text="", body_html="", files=[])
    return old.update(body_text="", body_html="", files=[])


def login_code_mails_delete(*, organisation, cutoff) -> int:
    """Mails carrying a login code are useless after the code's 15 minutes: deleted."""
    old = OutboxMessage.objects.filter(
        organisation=organisation,
        created_at__lt=cutoff,
        template__startswith="account/email/login_code",
    ).exclude(status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING])
    deleted, _detail = old.delete()
    return deleted


def audit_entries_delete(*, organisation, cutoff) -> int:
    """Audit entries past the audit term are deleted."""
    deleted, _detail = AuditEntry.objects.filter(
        organisation=organisation, created_at__lt=cutoff
    ).delete()
    return deleted


def left_members_anonymise(*, organisation, cutoff) -> int:
    """A member whose every membership ended before the term (and who has no other role) is
    anonymised: name and address go, the rounds and signals they counted in stay."""
    left = TeamMember.objects.filter(organisation=organisation, left_at__lt=cutoff)
    still = TeamMember.objects.filter(Q(left_at__isnull=True) | Q(left_at__gte=cutoff))
    users = (
        User.objects.filter(pk__in=left.values("user_id"), role="team_member")
        .exclude(pk__in=still.values("user_id"))
        .exclude(email__endswith=ERASED_DOMAIN)
    )
    count = 0
    for user in users:
        person = p.Person(organisation=organisation, email=user.email)
        p.person_erase(person)
        count += 1
    return count


# Person sources -----------------------------------------------------------------------------


def _match(person, *, email: str, name: str) -> Q:
    q = Q(pk__in=[])
    if person.email:
        q |= Q(**{f"{email}__iexact": person.email})
    if person.name:
        q |= Q(**{f"{name}__iexact": person.name})
    return q


def accounts_find(person) -> list:
    users = User.objects.filter(
        _match(person, email="email", name="name"), organisation=person.organisation
    ).exclude(email__endswith=ERASED_DOMAIN)
    found = []
    for user in users:
        memberships = [
            {
                "programme": str(m.programme),
                "joined": m.joined_at,
                "state": getattr(m, "state", ""),
                "left": getattr(m, "left_at", None),
            }
            for m in TeamMember.objects.filter(user=user).select_related("programme")
        ]
        notifications = list(
            Notification.objects.filter(recipient=user).values("created_at", "title", "body")
        )
        found.append(
            p.Found(
                source="account",
                obj=user,
                label=f"{user.name} <{user.email}>",
                data={
                    "name": user.name,
                    "email": user.email,
                    "role": user.get_role_display(),
                    "joined": user.date_joined,
                    "last_login": user.last_login,
                    "memberships": memberships,
                    "notifications": notifications,
                },
                identifiers=[user.name, user.email],
            )
        )
    return found


def account_erase(found) -> None:
    user = found.obj
    User.objects.filter(pk=user.pk).update(
        name=p.ERASED,
        email=f"verwijderd-{user.pk}{ERASED_DOMAIN}",
        is_active=False,
        password=make_password(None),
    )
    TeamMember.objects.filter(user=user).update(ready_reason="", left_reason="", stop_message="")
    EmailAddress.objects.filter(user=user).delete()  # allauth's copy of the address
    Notification.objects.filter(recipient=user).delete()
    Document.objects.filter(owner=user).delete()  # certificates with the name printed
    Invitee.objects.filter(user=user).update(name=p.ERASED, email="")


def invitees_find(person) -> list:
    rows = Invitee.objects.filter(
        _match(person, email="email", name="name"), organisation=person.organisation
    ).select_related("meeting")
    return [
        p.Found(
            source="invitee",
            obj=row,
            label=f"{row.meeting.title} ({row.meeting.starts_at:%d-%m-%Y})",
            data={
                "meeting": str(row.meeting),
                "name": row.name,
                "email": row.email,
                "status": row.get_status_display(),
                "attended": row.attended,
            },
            identifiers=[row.name, row.email],
        )
        for row in rows
    ]


def invitee_erase(found) -> None:
    # The row stays: who came counts in the team meetings figure.
    Invitee.objects.filter(pk=found.obj.pk).update(name=p.ERASED, email="")


def partners_find(person) -> list:
    rows = Partner.objects.filter(
        _match(person, email="email", name="name"), organisation=person.organisation
    )
    return [
        p.Found(
            source="partner",
            obj=row,
            label=f"{row.name} ({row.partner_organisation})",
            data={
                "name": row.name,
                "organisation": row.partner_organisation,
                "role": row.role,
                "email": row.email,
                "phone": row.phone,
            },
            identifiers=[row.name, row.email, row.phone],
        )
        for row in rows
    ]


def partner_erase(found) -> None:
    Partner.objects.filter(pk=found.obj.pk).delete()


def invitations_find(person) -> list:
    rows = Invitation.objects.filter(
        _match(person, email="email", name="name"), organisation=person.organisation
    )
    return [
        p.Found(
            source="invitation",
            obj=row,
            label=f"{row.name} <{row.email}>",
            data={"name": row.name, "email": row.email, "sent": row.created_at},
            identifiers=[row.name, row.email],
        )
        for row in rows
    ]


def invitation_erase(found) -> None:
    Invitation.objects.filter(pk=found.obj.pk).delete()


def mail_find(person) -> list:
    rows = OutboxMessage.objects.filter(
        _match(person, email="to_email", name="to_name"), organisation=person.organisation
    )
    return [
        p.Found(
            source="mail",
            obj=row,
            label=f"{row.created_at:%d-%m-%Y} {row.subject}",
            data={
                "to": row.to_email,
                "subject": row.subject,
                "created": row.created_at,
                "sent": row.sent_at,
                "text": row.body_text,
            },
            identifiers=[row.to_name, row.to_email],
        )
        for row in rows
    ]


def mail_erase(found) -> None:
    OutboxMessage.objects.filter(pk=found.obj.pk).delete()


def register() -> None:
    """Register the base's personal data, retention rules and person sources, and the notice
    to the consultancy admin of a person's request."""
    from . import privacy_tasks  # noqa: F401, PLC0415 - registers the periodic job's task
    from .audit import register_audit_actions  # noqa: PLC0415 - imports the models
    from .notification_kinds import (  # noqa: PLC0415 - kept beside their use
        NotificationKind,
        register_notification_kind,
    )
    from .permissions import Perm, Role  # noqa: PLC0415 - kept beside their use
    from .registry import NavLink, register_nav_link  # noqa: PLC0415 - kept beside their use

    register_nav_link(NavLink(_("Privacy"), "privacy", Perm.PRIVACY_MANAGE, order=90))
    register_audit_actions(
        {
            "privacy.exported": _("Personal data exported"),
            "privacy.erased": _("Personal data erased"),
            "privacy.requested": _("Erasure asked for"),
            "privacy.terms_set": _("Retention terms set"),
        }
    )
    register_notification_kind(
        NotificationKind(
            code="privacy.erasure_requested",
            label=_("Someone asks for their data to be erased"),
            description=_("A team member or applicant asked from the app."),
            audience=frozenset({Role.CONSULTANCY_ADMIN}),
            digest=False,
            order=950,
        )
    )
    p.register_personal(*_entries())
    p.register_not_personal(NOT_PERSONAL)
    day = 1
    for rule in (
        p.RetentionRule(
            "outbox_bodies",
            _("Mail bodies and attachments emptied"),
            p.STAFF,
            outbox_bodies_empty,
            default=90 * day,
            minimum=30 * day,
            maximum=365 * day,
            order=60,
        ),
        p.RetentionRule(
            "login_code_mails",
            _("Login-code mails deleted"),
            p.MEMBER,
            login_code_mails_delete,
            default=1 * day,
            minimum=1 * day,
            maximum=7 * day,
            order=70,
        ),
        p.RetentionRule(
            "audit_entries",
            _("Audit entries past their term deleted"),
            p.STAFF,
            audit_entries_delete,
            default=2 * 365 * day,
            minimum=365 * day,
            maximum=7 * 365 * day,
            order=80,
        ),
        p.RetentionRule(
            "left_members",
            _("Members who left anonymised"),
            p.MEMBER,
            left_members_anonymise,
            default=180 * day,
            minimum=30 * day,
            maximum=730 * day,
            order=30,
        ),
    ):
        p.register_retention_rule(rule)
    for source in (
        p.PersonSource("account", _("Account"), p.MEMBER, accounts_find, account_erase, 10),
        p.PersonSource(
            "invitee", _("Meeting invitations"), p.MEMBER, invitees_find, invitee_erase, 60
        ),
        p.PersonSource(
            "partner", _("Partner contact"), p.CLIENT_CONTACT, partners_find, partner_erase, 70
        ),
        p.PersonSource(
            "invitation", _("Account invitations"), p.STAFF, invitations_find, invitation_erase, 80
        ),
        p.PersonSource("mail", _("Mail sent"), p.STAFF, mail_find, mail_erase, 90),
        p.PersonSource(
            "mentions",
            _("Mentions in notes and texts"),
            p.RESIDENT,
            p.mentions_find,
            p.mentions_erase,
            95,
        ),
    ):
        p.register_person_source(source)
