"""The information meeting: invite the applicants, once per e-mail address."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.models import Meeting, User
from programmes.services import invited_emails, invitee_add_once, seats_taken
from programmes.services.bulk import SYNC_MAX, bulk_job_start

from ..models import Application
from ..workflow import Stage
from .selection import _move


@dataclass
class InviteResult:
    """What "invite all applicants" did: who was invited and why the others were skipped."""

    invited: int = 0
    already: int = 0  # had an invitation to this meeting already
    same_email: int = 0  # a second application with an e-mail address invited in this run
    no_email: int = 0


def _meeting_open(meeting) -> Meeting:
    """The meeting, locked, when applicants can still be invited to it; a clear refusal when
    it has begun or is full."""
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
    return meeting


def _invite_each(*, actor, meeting, applications, invited: set[str]) -> InviteResult:
    """Invite each of `applications` (in order) unless its address is in `invited`, and move
    those who applied to "invited"."""
    result = InviteResult()
    added = set()
    for application in applications:
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


def _in_order(applications):
    return applications.filter(merged_into__isnull=True).order_by("created_at", "pk")


@transaction.atomic
def applicants_invite(*, actor: User, meeting, applications) -> InviteResult:
    """Invite applicants to the information meeting and move them to "invited". Idempotent:
    one invitation per e-mail address (case-insensitive), whoever was invited before is
    skipped, and so is an applicant without an e-mail address. The meeting row is locked, so
    a double click waits for the first run and then finds everybody invited."""
    meeting = _meeting_open(meeting)
    return _invite_each(
        actor=actor,
        meeting=meeting,
        applications=_in_order(applications),
        invited=invited_emails(meeting),
    )


# The bulk job kind of inviting many applicants to an information meeting (apps.py).
APPLICANTS_INVITE = "recruitment.applicants_invite"


def applicants_invite_chunk(job, application_ids: list[int]) -> int:
    """Invite one chunk of a bulk invitation of applicants (the meeting in `job.payload`):
    each address once, so a chunk run again invites nobody twice, and an applicant who was
    invited already stays where they are. Returns how many failed: none (an applicant
    without an address, merged or invited before is skipped, as in the request)."""
    meeting = Meeting.objects.select_related("programme", "organisation").get(
        pk=job.payload["meeting"]
    )
    _invite_each(
        actor=job.requested_by,
        meeting=meeting,
        applications=_in_order(Application.objects.filter(pk__in=application_ids)),
        invited=invited_emails(meeting),
    )
    return 0


@transaction.atomic
def applicants_invite_start(*, actor: User, meeting, applications):
    """Invite applicants to the information meeting: up to SYNC_MAX in the request (returns
    the `InviteResult`), more by a bulk job in the background whose progress the pages show
    (returns the `BulkJob`). Refused at once when the meeting has begun or is full."""
    ids = list(_in_order(applications).values_list("pk", flat=True)[: SYNC_MAX + 1])
    if len(ids) <= SYNC_MAX:
        return applicants_invite(actor=actor, meeting=meeting, applications=applications)
    meeting = _meeting_open(meeting)
    return bulk_job_start(
        actor=actor,
        kind=APPLICANTS_INVITE,
        programme=meeting.programme,
        items=_in_order(applications).values_list("pk", flat=True),
        payload={"meeting": meeting.pk},
    )


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


def invite_started_message(result) -> tuple[int, str]:
    """(message level, sentence) for "invite all applicants": what was done when it was done
    in the request, that the invitations are on their way when a bulk job does it."""
    if isinstance(result, InviteResult):
        return messages.SUCCESS, invite_result_message(result)
    return messages.INFO, _("The invitations are being sent; the progress shows on this page.")
