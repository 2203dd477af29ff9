"""The rules of the team and their sign-off, and whether a member may walk rounds: the
track's verdict, the project leader's override, and the words that explain either."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, TeamMember, User
from programmes.readiness import register_readiness_check, register_readiness_explainer
from programmes.selectors import is_on_roster, roster_member
from programmes.services import team_member_set_ready

from ..models import RulesAcceptance, TeamRules
from .track import track_progress

DEFAULT_RULES = (
    "1. Je loopt rondes met minstens één ander teamlid.\n"
    "2. Je spreekt bewoners vriendelijk aan en gaat nooit de discussie aan bij agressie.\n"
    "3. Je meldt wat je ziet via de app; spoed meld je ook telefonisch.\n"
    "4. Je houdt je aan de inspanningsverplichting: de afgesproken rondes en uren per maand.\n"
    "5. Je draagt tijdens rondes de bodywarmer van het team."
)


@transaction.atomic
def rules_save(*, actor: User, programme: Programme, text: str) -> TeamRules:
    """Save the rules of the team (the text members accept in the app); never empty."""
    if not text.strip():
        raise ValidationError({"text": _("Write the rules of the team.")})
    rules, _created = TeamRules.objects.update_or_create(
        programme=programme,
        defaults={
            "organisation": programme.organisation,
            "text": text.strip(),
            "updated_at": timezone.now(),
        },
    )
    audit_log(actor=actor, organisation=programme.organisation, action="rules.saved", obj=rules)
    return rules


def rules_for(*, programme: Programme) -> TeamRules:
    """The saved rules of the team, or the default rules (unsaved) when none were written."""
    rules = TeamRules.objects.filter(programme=programme).first()
    return rules or TeamRules(
        organisation=programme.organisation, programme=programme, text=DEFAULT_RULES
    )


@transaction.atomic
def rules_accept(*, user: User, programme: Programme) -> RulesAcceptance:
    """Keep the exact text the member accepted, with the moment; then see if they are ready."""
    if not is_on_roster(programme=programme, user=user):
        raise ValidationError(_("Only members of this team accept its rules."))
    acceptance = RulesAcceptance.objects.create(
        organisation=programme.organisation,
        programme=programme,
        user=user,
        text=rules_for(programme=programme).text,
    )
    audit_log(
        actor=user, organisation=programme.organisation, action="rules.accepted", obj=acceptance
    )
    readiness_update(programme=programme, user=user)
    return acceptance


def readiness(*, programme: Programme, user: User) -> dict:
    """What a member still needs before rounds: the introduction and instruction meetings
    attended, the workshop passed, the rules accepted."""
    progress = track_progress(programme=programme, user_ids=[user.pk])[user.pk]
    return {key: bool(done) for key, done in progress.items()}


def _missing(progress: dict) -> list[str]:
    missing = []
    if not progress["introduction"]:
        missing.append(_("introduction meeting not attended"))
    if progress["workshop"] is None:
        missing.append(_("workshop not assessed yet"))
    elif not progress["workshop"]:
        missing.append(_("workshop not passed"))
    if not progress["instruction"]:
        missing.append(_("instruction meeting not attended"))
    if not progress["rules"]:
        missing.append(_("rules not accepted"))
    return missing


@register_readiness_explainer
def readiness_reasons(*, programme: Programme, members) -> dict[int, str]:
    """Why each member (a `TeamMember` row) may walk rounds or not yet, in one line, e.g.
    "Klaar: certificaat en spelregels" or "Nog niet: workshop niet gehaald". Registered with
    the base (`programmes.readiness`) so the phone app shows the same words."""
    members = list(members)
    progress = track_progress(programme=programme, user_ids=[m.user_id for m in members])
    reasons = {}
    for member in members:
        missing = _missing(progress[member.user_id])
        if member.ready_for_rounds:
            if member.ready_reason:
                reason = _("Released by the project leader: %(reason)s") % {
                    "reason": member.ready_reason
                }
            elif not missing:
                reason = _("Ready: certificate and rules")
            else:
                reason = _("Ready, but: %(missing)s") % {"missing": ", ".join(missing)}
        elif not missing:
            reason = _("Not yet: held back by the project leader")
        else:
            reason = _("Not yet: %(missing)s") % {"missing": ", ".join(missing)}
        reasons[member.user_id] = reason
    return reasons


@register_readiness_check
def readiness_missing_for_member(*, member: TeamMember) -> list[str]:
    """What a member who is not ready still misses, addressed to them (the phone app says
    "Je kunt nog geen rondes lopen: je hebt de workshop nog niet gehaald")."""
    progress = track_progress(programme=member.programme, user_ids=[member.user_id])
    done = progress[member.user_id]
    missing = []
    if not done["workshop"]:
        missing.append(_("you have not passed the workshop yet"))
    if not done["rules"]:
        missing.append(_("you have not accepted the rules yet"))
    if not done["introduction"]:
        missing.append(_("you have not been to the introduction meeting yet"))
    if not done["instruction"]:
        missing.append(_("you have not been to the instruction meeting yet"))
    return missing


def readiness_update(*, programme: Programme, user: User) -> bool:
    """Mark the member ready on the roster once the whole track is done (the roster is what
    the patrols app reads). An override by the project leader is left alone."""
    member = roster_member(programme=programme, user=user, include_inactive=True)
    if member is None or member.ready_for_rounds:
        return bool(member and member.ready_for_rounds)
    if all(readiness(programme=programme, user=user).values()):
        team_member_set_ready(actor=None, member=member, ready=True)
        return True
    return False


@transaction.atomic
def readiness_override(*, actor: User, member: TeamMember, ready: bool, reason: str) -> TeamMember:
    """The project leader's say on whether a member may walk rounds. Letting someone walk
    who has not finished the track needs a reason, so the roster and the phone app can say
    why; the change is recorded in the audit log by `team_member_set_ready`."""
    reason = reason[:300]
    if (
        ready
        and not reason.strip()
        and not all(readiness(programme=member.programme, user=member.user).values())
    ):
        raise ValidationError(_("Say why this member may walk rounds before finishing the track."))
    return team_member_set_ready(actor=actor, member=member, ready=ready, reason=reason)
