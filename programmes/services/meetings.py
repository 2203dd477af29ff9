"""Meetings, invitations with personal reply links, the waiting list and attendance.

Later phases (information meeting, trainings, kickoff, team meetings) reuse these services.
Seats count the invitee plus their guests. A reply that does not fit lands on the waiting
list; when places free up, the waiting list moves up in order of arrival, each person who fits.
All seat changes lock the meeting row, so two replies at once cannot overbook it.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..ics import ICS_TYPE, ics_key, meetings_ics
from ..links import reverse_absolute
from ..mail import mail_queue
from ..models import Invitee, Meeting, Programme, Progress, User
from ..tokens import new_token, token_hash
from .bulk import SYNC_MAX, bulk_job_start
from .common import apply_changes
from .plan import programme_progress_record

MAX_GUESTS = 10
MEETING_FIELDS = ("kind", "title", "starts_at", "ends_at", "location", "capacity", "description")
# What a reply (or a move up from the waiting list) sets on an invitee.
REPLY_FIELDS = ("status", "guests", "responded_at", "waitlisted_at")


@transaction.atomic
def meeting_create(*, actor: User, programme: Programme, **fields) -> Meeting:
    """Plan a meeting of `programme` (it must end after it starts); audited."""
    meeting = Meeting(organisation=programme.organisation, programme=programme, **fields)
    meeting.full_clean()
    if meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    meeting.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="meeting.created", obj=meeting
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: User, meeting: Meeting, **fields) -> Meeting:
    """Change the meeting's `MEETING_FIELDS`; audited. More places move people up from the
    waiting list at once, under the meeting's row lock like every reply."""
    changed = apply_changes(meeting, fields, allowed=MEETING_FIELDS)
    if not changed:
        return meeting
    if meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    meeting.full_clean()
    meeting.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=meeting.organisation,
        action="meeting.updated",
        obj=meeting,
        data={"fields": changed},
    )
    if "capacity" in changed:
        _promote_waiting(meeting=Meeting.objects.select_for_update().get(pk=meeting.pk))
    return meeting


def seats_taken(meeting: Meeting) -> int:
    """Places taken: each accepted invitee plus the guests they bring."""
    taken = (
        meeting.invitees.filter(status=Invitee.Status.ACCEPTED).aggregate(n=Sum("guests"))["n"] or 0
    )
    return taken + meeting.invitees.filter(status=Invitee.Status.ACCEPTED).count()


def meetings_ics_file(meetings, *, name: str = "", filename: str = "uitnodiging.ics") -> dict:
    """The calendar of `meetings` stored once per content (everyone invited to the same
    meetings shares one file) and described for `mail_queue(files=...)`."""
    meetings = list(meetings)
    path = ics_key(meetings)
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(meetings_ics(meetings, name=name)))
    return {"path": path, "name": filename, "type": ICS_TYPE}


def reply_link(invitee: Invitee, token: str) -> str:
    """The invitee's personal reply link (the token is known only when it is made)."""
    return reverse_absolute(
        "meeting_reply", kwargs={"org": invitee.organisation.slug, "token": token}
    )


def _mail(invitee: Invitee, template: str, files=None, **context) -> None:
    mail_queue(
        organisation=invitee.organisation,
        programme=invitee.meeting.programme,
        to=invitee.email,
        to_name=invitee.name,
        template=template,
        language=invitee.language,
        context={"invitee": invitee, "meeting": invitee.meeting, **context},
        files=files,
    )


@transaction.atomic
def invitee_create(
    *,
    actor: User | None,
    meeting: Meeting,
    name: str,
    email: str,
    user: User | None = None,
    language: str = "nl",
) -> tuple[Invitee, str]:
    """Invite one person without mailing them (the caller mails, e.g. one mail for the dates
    of a series); returns the invitee and the token of its reply link."""
    email = email.strip().lower()
    if meeting.invitees.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s has already been invited.") % {"email": email}}
        )
    token, hashed = new_token()
    invitee = Invitee(
        organisation=meeting.organisation,
        meeting=meeting,
        name=name.strip(),
        email=email,
        user=user,
        language=language,
        token_hash=hashed,
    )
    invitee.full_clean()
    invitee.save()
    audit_log(
        actor=actor,
        organisation=meeting.organisation,
        action="invitee.added",
        obj=invitee,
        data={"meeting": meeting.pk},
    )
    return invitee, token


@transaction.atomic
def invitee_add(
    *,
    actor: User | None,
    meeting: Meeting,
    name: str,
    email: str,
    user: User | None = None,
    language: str = "nl",
) -> Invitee:
    """Invite one person and mail them their personal reply link, with the meeting as a
    calendar file."""
    invitee, token = invitee_create(
        actor=actor, meeting=meeting, name=name, email=email, user=user, language=language
    )
    _mail(
        invitee,
        "programmes/meeting_invitation",
        link=reply_link(invitee, token),
        files=[meetings_ics_file([meeting], name=meeting.title)],
    )
    return invitee


def invited_emails(meeting: Meeting) -> set[str]:
    """The e-mail addresses invited to `meeting`, in lower case (one query): what
    `invitee_add_once` skips."""
    return {email.strip().lower() for email in meeting.invitees.values_list("email", flat=True)}


def invitee_add_once(
    *, actor: User | None, meeting: Meeting, name: str, email: str, invited: set[str], **kwargs
) -> Invitee | None:
    """Invite one person unless their e-mail address is in `invited` (from `invited_emails`)
    or someone else invites it between our look and our write: None then. The address joins
    `invited` either way, so a run over a list invites each address once. Other arguments
    go to `invitee_add`."""
    email = email.strip().lower()
    if email in invited:
        return None
    invited.add(email)
    try:
        with transaction.atomic():
            return invitee_add(actor=actor, meeting=meeting, name=name, email=email, **kwargs)
    except (ValidationError, IntegrityError):
        return None


# The bulk job kind of inviting many people to a meeting at once (registered in apps.py).
MEETING_INVITE = "programmes.meeting_invite"


def _people_invited(meeting: Meeting, people, invited: set[str], actor) -> int:
    """Invite each of `people` ((name, e-mail, language) rows) unless invited before; returns
    how many could not be invited (their address is not invited afterwards)."""
    for name, email, language in people:
        invitee_add_once(
            actor=actor,
            meeting=meeting,
            name=name,
            email=email,
            invited=invited,
            language=language or "nl",
        )
    after = invited_emails(meeting)
    return sum(1 for _name, email, _language in people if email.strip().lower() not in after)


def meeting_invite_chunk(job, indexes: list[int]) -> int:
    """Invite one chunk of a meeting's bulk invitation (the people are rows in
    `job.payload`, the items their positions); each address once, so a chunk run again
    invites nobody twice. Returns how many could not be invited."""
    meeting = Meeting.objects.select_related("programme", "organisation").get(
        pk=job.payload["meeting"]
    )
    people = job.payload["people"]
    chunk = [people[i] for i in indexes if 0 <= i < len(people)]
    return _people_invited(meeting, chunk, invited_emails(meeting), job.requested_by)


@transaction.atomic
def meeting_invite_many(*, actor: User, meeting: Meeting, people):
    """Invite many people at once ((name, e-mail, language) rows; an address twice counts
    once): up to SYNC_MAX in the request (returns how many were invited), more by a bulk
    job in the background with a progress bar (returns the `BulkJob`). Whoever was invited
    before is skipped either way."""
    unique = {}
    for name, email, language in people:
        unique.setdefault(email.strip().lower(), [name.strip(), email.strip().lower(), language])
    rows = list(unique.values())
    if len(rows) <= SYNC_MAX:
        invited = invited_emails(meeting)
        new = [row for row in rows if row[1] not in invited]
        failed = _people_invited(meeting, new, invited, actor)
        return len(new) - failed
    return bulk_job_start(
        actor=actor,
        kind=MEETING_INVITE,
        programme=meeting.programme,
        items=range(len(rows)),
        payload={"meeting": meeting.pk, "people": rows},
    )


def invitee_by_token(*, token: str) -> Invitee | None:
    """The invitee whose reply link carries `token`, in the active scope, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitee.objects.select_related("meeting", "meeting__programme", "organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _promote_waiting(*, meeting: Meeting) -> list[Invitee]:
    """Move people up from the waiting list, in order of arrival, while places are free.
    The caller holds the meeting row lock."""
    promoted = []
    if meeting.capacity is None:
        waiting = list(meeting.invitees.filter(status=Invitee.Status.WAITLISTED))
    else:
        free = meeting.capacity - seats_taken(meeting)
        waiting = []
        for invitee in meeting.invitees.filter(status=Invitee.Status.WAITLISTED).order_by(
            "waitlisted_at", "id"
        ):
            if invitee.seats <= free:
                waiting.append(invitee)
                free -= invitee.seats
    for invitee in waiting:
        changed = apply_changes(
            invitee,
            {"status": Invitee.Status.ACCEPTED, "waitlisted_at": None},
            allowed=REPLY_FIELDS,
        )
        invitee.save(update_fields=changed)
        audit_log(
            actor=None, organisation=meeting.organisation, action="invitee.promoted", obj=invitee
        )
        _mail(invitee, "programmes/meeting_promoted")
        promoted.append(invitee)
    return promoted


@transaction.atomic
def meeting_reply(*, invitee: Invitee, attending: bool, guests: int = 0) -> Invitee:
    """Record a yes or no. A yes that does not fit goes on the waiting list; a no frees the
    places, which go to the waiting list."""
    if guests < 0 or guests > MAX_GUESTS:
        raise ValidationError({"guests": _("Bring at most %(n)s guests.") % {"n": MAX_GUESTS}})
    meeting = Meeting.objects.select_for_update().get(pk=invitee.meeting_id)
    invitee = Invitee.objects.select_for_update().get(pk=invitee.pk)
    if meeting.ends_at < timezone.now():
        raise ValidationError(_("This meeting has already taken place."))
    previous = invitee.status
    now = timezone.now()
    reply = {"responded_at": now, "guests": guests}
    if not attending:
        reply.update(status=Invitee.Status.DECLINED, guests=0, waitlisted_at=None)
    elif previous == Invitee.Status.ACCEPTED:
        others = seats_taken(meeting) - invitee.seats
        if meeting.capacity is not None and others + 1 + guests > meeting.capacity:
            raise ValidationError(
                {
                    "guests": _(
                        "There is no room for %(n)s guests; your place with %(old)s guests stays."
                    )
                    % {"n": guests, "old": invitee.guests}
                }
            )
    elif previous == Invitee.Status.WAITLISTED:
        pass  # a new number of guests; it keeps its place in the queue
    else:
        someone_waiting = meeting.invitees.filter(status=Invitee.Status.WAITLISTED).exists()
        fits = meeting.capacity is None or seats_taken(meeting) + 1 + guests <= meeting.capacity
        if fits and not someone_waiting:
            reply["status"] = Invitee.Status.ACCEPTED
        else:
            reply.update(status=Invitee.Status.WAITLISTED, waitlisted_at=now)
    invitee.save(update_fields=apply_changes(invitee, reply, allowed=REPLY_FIELDS))
    audit_log(
        actor=invitee.user,
        organisation=invitee.organisation,
        action=f"invitee.{invitee.status}",
        obj=invitee,
        data={"guests": invitee.guests, "previous": previous},
    )
    promoted = _promote_waiting(meeting=meeting)
    if invitee not in promoted:
        _mail(invitee, "programmes/meeting_reply_received")
    return invitee


@transaction.atomic
def invitee_set_attended(*, actor: User, invitee: Invitee, attended: bool | None) -> Invitee:
    """Record whether an invitee came (None: not known); attending a kickoff that was held
    records the kickoff in the programme's progress."""
    invitee.save(
        update_fields=apply_changes(invitee, {"attended": attended}, allowed=("attended",))
    )
    audit_log(
        actor=actor,
        organisation=invitee.organisation,
        action="invitee.attendance",
        obj=invitee,
        data={"attended": attended},
    )
    meeting = invitee.meeting
    if attended and meeting.kind == Meeting.Kind.KICKOFF and meeting.starts_at <= timezone.now():
        programme_progress_record(
            programme=meeting.programme,
            event=Progress.KICKOFF_HELD,
            when=meeting.starts_at,
            actor=actor,
        )
    return invitee


def meeting_reminders_due(*, now=None):
    """(invitee id, organisation id) of people coming to a meeting that starts in the next
    24 hours and who have not had a reminder."""
    now = now or timezone.now()
    return Invitee.objects.filter(
        status=Invitee.Status.ACCEPTED,
        reminder_sent_at__isnull=True,
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=now + timedelta(hours=24),
    ).values_list("pk", "organisation_id")


@transaction.atomic
def meeting_reminder_send(*, invitee_id: int) -> bool:
    """Send the day-before reminder once; a second call sends nothing."""
    invitee = Invitee.objects.select_for_update().filter(pk=invitee_id).first()
    if invitee is None or invitee.reminder_sent_at or invitee.status != Invitee.Status.ACCEPTED:
        return False
    invitee.save(
        update_fields=apply_changes(
            invitee, {"reminder_sent_at": timezone.now()}, allowed=("reminder_sent_at",)
        )
    )
    _mail(invitee, "programmes/meeting_reminder")
    return True
