"""What recruitment tells people through the base's notifications: a candidate proposed to
the client waits for their decision (the client's staff; a daily digest by default).

The notice names the programme, not the candidate: the name stays on the portal's candidate
page, behind its permission, and out of mailboxes and the notification rows.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from programmes.models import User
from programmes.notification_kinds import DIGEST, NotificationKind, register_notification_kind
from programmes.permissions import Role
from programmes.services.notifications import notify

CANDIDATE_PROPOSED = "recruitment.candidate_proposed"

KINDS = (
    NotificationKind(
        code=CANDIDATE_PROPOSED,
        label=_("Candidates waiting for your decision"),
        description=_("The project leader proposed a candidate for the team."),
        audience={Role.CLIENT_STAFF},
        default_mode=DIGEST,
        order=40,
    ),
)


def register() -> None:
    """Register the app's notification kinds (from `RecruitmentConfig.ready`)."""
    for kind in KINDS:
        register_notification_kind(kind)


def candidate_proposed_notify(*, application) -> None:
    """Tell the client's staff a candidate of the programme waits for their decision."""
    programme = application.programme
    staff = User.objects.filter(
        organisation_id=programme.organisation_id, role=Role.CLIENT_STAFF, is_active=True
    ).order_by("pk")
    notify(
        kind=CANDIDATE_PROPOSED,
        recipients=list(staff),
        title=format_lazy(
            _("A candidate waits for your decision: {programme}"), programme=programme.name
        ),
        body=_("Read the project leader's advice and approve or decline on the candidates page."),
        url=reverse(
            "recruitment:portal_candidates",
            kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk},
        ),
        dedupe_key=f"application-proposed:{application.pk}:{timezone.now().isoformat()}",
        organisation=programme.organisation,
        programme=programme,
    )
