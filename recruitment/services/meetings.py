"""The information meeting: invite the applicants, once per e-mail address."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.models import Meeting, User
from programmes.services import invited_emails, invitee_add_once, seats_taken

from ..workflow import Stage
from .selection import _move


@dataclass
class InviteResult:
    """What "invite all applicants" did: who was invited and why the others were skipped."""

    invited: int = 0
    already: int = 0  # had an invitation to this meeting already
    same_email: int = 0  # a second application with an e-mail address invited in this run
    no_email: int = 0


@transaction.atomic
def applicants_invite(*, actor: User, meeting, applications) -> InviteResult:
    """Invite applicants to the information meeting and move them to "invited". Idempotent:
    one invitation per e-mail address (case-insensitive), whoever was invited before is
    skipped, and so is an applicant without an e-mail address. The meeting row is locked, so
    a double click waits for the first run and then finds everybody invited."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            _("%(meeting)s has already begun: plan a new information meeting.")
            % {"meeting": meeting.title}
        )
    if meeting.capacity is not None and seats_taken(meeting) >= meeting.capacity:
        raise ValidationError(
            _(
                "%(meeting)s is full (%(n)s places). Add places or plan another meeting, "
                "then invite the applicants."
            )
            % {"meeting": meeting.title, "n": meeting.capacity}
        )
    result = InviteResult()
    invited = invited_emails(meeting)
    added = set()
    for application in applications.filter(merged_into__isnull=True).order_by("created_at", "pk"):
        email = (application.email or "").strip().lower()
        if not email:
            result.no_email += 1
            continue
        if email in added:
            result.same_email += 1
        elif invitee_add_once(
            actor=actor, meeting=meeting, name=application.name, email=email, invited=invited
        ):
            added.add(email)
            result.invited += 1
        else:  # invited before, or by someone else between our look and our write
            result.already += 1
        if application.stage == Stage.APPLIED:
            _move(
                actor=actor,
                application=application,
                stage=Stage.INVITED,
                note=str(meeting),
                by_client=False,
            )
    return result


def invite_result_message(result: InviteResult) -> str:
    """The Dutch sentence that says how many were invited and why the others were not."""
    text = ngettext(
        "%(n)s applicant was invited.", "%(n)s applicants were invited.", result.invited
    ) % {"n": result.invited}
    skipped = []
    if result.already:
        skipped.append(
            ngettext(
                "%(n)s had an invitation already",
                "%(n)s had an invitation already",
                result.already,
            )
            % {"n": result.already}
        )
    if result.same_email:
        skipped.append(
            ngettext(
                "%(n)s second application with the same e-mail address",
                "%(n)s second applications with the same e-mail address",
                result.same_email,
            )
            % {"n": result.same_email}
        )
    if result.no_email:
        skipped.append(
            ngettext(
                "%(n)s has no e-mail address",
                "%(n)s have no e-mail address",
                result.no_email,
            )
            % {"n": result.no_email}
        )
    if skipped:
        text += " " + _("Skipped: %(reasons)s.") % {"reasons": ", ".join(skipped)}
    return text
