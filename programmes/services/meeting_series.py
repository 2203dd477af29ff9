"""Team meetings as a series, invitations of the whole team in one action, and what a meeting
leaves behind: its agenda, its notes and its agreements, followed up until done.

A series is planned once: its meetings are made at once as ordinary meetings (kind team), each
at the series' local time in the site's time zone (Europe/Amsterdam), so 19:30 stays 19:30 on
both sides of a clock change. Inviting "everyone" invites the team members who are scheduled
(`selectors.schedulable_members`), the programme's client contacts and its partners with an
address, to every meeting of the series still to come, with one mail per person that lists each
date with its own reply link and carries the dates as a calendar file.
"""

import calendar
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..mail import mail_queue
from ..models import Agreement, Invitee, Meeting, MeetingSeries, Programme, User
from ..selectors.roster import schedulable_members
from .bulk import SYNC_MAX, bulk_job_start
from .common import apply_changes
from .meetings import invited_emails, invitee_create, meetings_ics_file, reply_link

SERIES_FIELDS = (
    "title",
    "location",
    "description",
    "rule",
    "weekday",
    "nth",
    "interval_weeks",
    "first_date",
    "until",
    "start_time",
    "duration_minutes",
)
DURATION_MIN, DURATION_MAX = 15, 8 * 60
INTERVAL_WEEKS_MAX = 12

# The bulk job kind of inviting everyone to a series (registered in apps.py).
SERIES_INVITE = "programmes.series_invite"


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The `nth` (1..4, or -1: the last) `weekday` of the month."""
    days = [
        day
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, day).weekday() == weekday
    ]
    if nth == -1:
        return date(year, month, days[-1])
    return date(year, month, days[nth - 1]) if 0 < nth <= len(days) else None


def series_dates(
    *, rule: str, weekday: int, first_date: date, until: date, nth=None, interval_weeks=None
) -> list[date]:
    """The dates of a series from `first_date` up to and including `until` (at most
    MeetingSeries.MAX_MEETINGS): monthly on the nth weekday, or every `interval_weeks` weeks
    on `weekday` starting with the first such day on or after `first_date`."""
    found: list[date] = []
    if rule == MeetingSeries.Rule.MONTHLY:
        year, month = first_date.year, first_date.month
        while len(found) < MeetingSeries.MAX_MEETINGS:
            day = _nth_weekday(year, month, weekday, nth)
            if day is not None and day > until:
                break
            if day is not None and day >= first_date:
                found.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if date(year, month, 1) > until:
                break
        return found
    day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    while day <= until and len(found) < MeetingSeries.MAX_MEETINGS:
        found.append(day)
        day += timedelta(weeks=interval_weeks)
    return found


def local_moment(day: date, at) -> datetime:
    """`day` at the local time `at` in the site's time zone (Europe/Amsterdam), whatever the
    offset that day: the clocks' change never moves a meeting's hour."""
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def _check(series: MeetingSeries) -> None:
    errors = {}
    if series.rule == MeetingSeries.Rule.MONTHLY:
        if series.nth is None:
            errors["nth"] = _("Choose which weekday of the month.")
        series.interval_weeks = None
    else:
        if not series.interval_weeks or not 1 <= series.interval_weeks <= INTERVAL_WEEKS_MAX:
            errors["interval_weeks"] = _("Choose every 1 to %(n)s weeks.") % {
                "n": INTERVAL_WEEKS_MAX
            }
        series.nth = None
    if not DURATION_MIN <= (series.duration_minutes or 0) <= DURATION_MAX:
        errors["duration_minutes"] = _("A meeting takes %(min)s to %(max)s minutes.") % {
            "min": DURATION_MIN,
            "max": DURATION_MAX,
        }
    if series.first_date and series.until:
        if series.until < series.first_date:
            errors["until"] = _("The last date comes after the first.")
        elif series.until > series.first_date.replace(
            year=series.first_date.year + MeetingSeries.MAX_YEARS,
            day=min(series.first_date.day, 28),
        ):
            errors["until"] = _("A series runs for at most two years; plan a new one after that.")
    if errors:
        raise ValidationError(errors)


def _dates_of(series: MeetingSeries) -> list[date]:
    return series_dates(
        rule=series.rule,
        weekday=series.weekday,
        first_date=series.first_date,
        until=series.until,
        nth=series.nth,
        interval_weeks=series.interval_weeks,
    )


@transaction.atomic
def series_create(*, actor: User, programme: Programme, **fields) -> MeetingSeries:
    """Plan a series of team meetings and make its meetings; audited. Open agreements of the
    programme that wait for a next meeting are followed up at the series' first."""
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    series = MeetingSeries(organisation=programme.organisation, programme=programme, **fields)
    series.full_clean()
    _check(series)
    dates = _dates_of(series)
    if not dates:
        raise ValidationError({"until": _("No meeting falls between these dates.")})
    series.save()
    meetings = []
    for day in dates:
        starts = local_moment(day, series.start_time)
        meeting = Meeting(
            organisation=programme.organisation,
            programme=programme,
            series=series,
            kind=Meeting.Kind.TEAM,
            title=series.title,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=series.duration_minutes),
            location=series.location,
            description=series.description,
        )
        meeting.full_clean()
        meetings.append(meeting)
    Meeting.objects.bulk_create(meetings)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="meeting_series.created",
        obj=series,
        data={"meetings": len(meetings)},
    )
    first = series.meetings.order_by("starts_at").first()
    waiting = Agreement.objects.filter(
        programme=programme, status=Agreement.Status.OPEN, follow_up__isnull=True
    )
    waiting.update(follow_up=first)
    return series


# --- Inviting everyone --------------------------------------------------------------------


def series_people(*, series: MeetingSeries) -> list[list]:
    """Who "everyone" is for a series, as [name, e-mail, language, user id] rows, each address
    once: the scheduled team members, the client's contacts, the partners with an address."""
    programme = series.programme
    rows: dict[str, list] = {}

    def add(name, email, language, user_id):
        email = (email or "").strip().lower()
        if email and email not in rows:
            rows[email] = [name or email.split("@")[0], email, language or "nl", user_id]

    for member in schedulable_members(programme=programme):
        add(member.user.name, member.user.email, member.user.language, member.user_id)
    for user in programme.client_contacts.filter(is_active=True).order_by("name", "pk"):
        add(user.name, user.email, user.language, user.pk)
    for partner in programme.partners.exclude(email="").order_by("name", "pk"):
        add(partner.name, partner.email, "nl", None)
    return list(rows.values())


def _upcoming(series: MeetingSeries) -> list[Meeting]:
    return list(series.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at", "pk"))


def _invite_person(
    *, actor, series: MeetingSeries, meetings: list[Meeting], invited: dict, person
) -> bool:
    """Invite one person to each of `meetings` they are not invited to yet, with one mail
    listing the new dates with their reply links and the calendar file. `invited` maps a
    meeting id to its invited addresses (kept up to date). False when there was nothing new."""
    name, email, language, user_id = person
    user = User.objects.filter(pk=user_id).first() if user_id else None
    new = []
    for meeting in meetings:
        if email in invited[meeting.pk]:
            continue
        invitee, token = invitee_create(
            actor=actor, meeting=meeting, name=name, email=email, user=user, language=language
        )
        invited[meeting.pk].add(email)
        new.append((meeting, reply_link(invitee, token)))
    if not new:
        return False
    mail_queue(
        organisation=series.organisation,
        programme=series.programme,
        to=email,
        to_name=name,
        template="programmes/series_invitation",
        language=language,
        context={"series": series, "name": name, "dates": new},
        files=[meetings_ics_file([m for m, _link in new], name=series.title)],
    )
    return True


def series_invite_chunk(job, indexes: list[int]) -> int:
    """Invite one chunk of a series' invitation (people are rows in `job.payload`); each
    address once per meeting, so a chunk run again invites and mails nobody twice."""
    series = MeetingSeries.objects.select_related("programme", "organisation").get(
        pk=job.payload["series"]
    )
    people = job.payload["people"]
    meetings = _upcoming(series)
    invited = {m.pk: invited_emails(m) for m in meetings}
    for index in indexes:
        if 0 <= index < len(people):
            _invite_person(
                actor=job.requested_by,
                series=series,
                meetings=meetings,
                invited=invited,
                person=people[index],
            )
    return 0


@transaction.atomic
def series_invite_everyone(*, actor: User, series: MeetingSeries):
    """Invite everyone (`series_people`) to the series' meetings still to come: up to SYNC_MAX
    people in the request (returns how many got an invitation), more by a bulk job with a
    progress bar (returns the `BulkJob`). Whoever was invited before is skipped."""
    people = series_people(series=series)
    meetings = _upcoming(series)
    if not meetings:
        raise ValidationError(_("This series has no meetings left to invite people to."))
    audit_log(
        actor=actor,
        organisation=series.organisation,
        action="meeting_series.invited",
        obj=series,
        data={"people": len(people)},
    )
    if len(people) <= SYNC_MAX:
        invited = {m.pk: invited_emails(m) for m in meetings}
        return sum(
            _invite_person(
                actor=actor, series=series, meetings=meetings, invited=invited, person=person
            )
            for person in people
        )
    return bulk_job_start(
        actor=actor,
        kind=SERIES_INVITE,
        programme=series.programme,
        items=range(len(people)),
        payload={"series": series.pk, "people": people},
    )


# --- Answering from the team app ----------------------------------------------------------


def invitee_of_user(*, user: User, pk: int) -> Invitee | None:
    """The invitation with this id when it is `user`'s own (in the active scope), else None."""
    if not user or not user.is_authenticated:
        return None
    return Invitee.objects.select_related("meeting").filter(pk=pk, user=user).first()


# --- Agenda, notes and agreements ---------------------------------------------------------

AGREEMENT_FIELDS = ("text", "owner_name", "owner", "due_date")


def next_meeting(meeting: Meeting) -> Meeting | None:
    """Where what stays open after `meeting` is followed up: the next meeting of its series,
    else the programme's next team meeting."""
    later = Meeting.objects.filter(programme_id=meeting.programme_id).filter(
        starts_at__gt=meeting.starts_at
    )
    if meeting.series_id:
        found = later.filter(series_id=meeting.series_id).order_by("starts_at", "pk").first()
        if found:
            return found
    return later.filter(kind=Meeting.Kind.TEAM).order_by("starts_at", "pk").first()


@transaction.atomic
def meeting_agenda_save(*, actor: User, meeting: Meeting, agenda: str) -> Meeting:
    """Set the meeting's agenda (sent around beforehand); audited."""
    changed = apply_changes(meeting, {"agenda": agenda.strip()}, allowed=("agenda",))
    if changed:
        meeting.full_clean()
        meeting.save(update_fields=changed)
        audit_log(
            actor=actor, organisation=meeting.organisation, action="meeting.agenda", obj=meeting
        )
    return meeting


@transaction.atomic
def meeting_notes_save(*, actor: User, meeting: Meeting, notes: str) -> int:
    """Record the meeting's notes; audited. The agreements still open that were on this
    meeting's list (made here, or carried here) move on to the next meeting. Returns how
    many were carried."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    fields = {"notes": notes.strip(), "notes_saved_at": timezone.now()}
    changed = apply_changes(meeting, fields, allowed=("notes", "notes_saved_at"))
    meeting.full_clean()
    meeting.save(update_fields=changed)
    audit_log(actor=actor, organisation=meeting.organisation, action="meeting.notes", obj=meeting)
    return agreements_carry(actor=actor, meeting=meeting)


@transaction.atomic
def agreements_carry(*, actor: User | None, meeting: Meeting) -> int:
    """Carry the open agreements followed up at `meeting` to the next meeting (each counts
    one more carry); open agreements made here that wait for a meeting go there too."""
    following = next_meeting(meeting)
    if following is None:
        return 0
    open_here = Agreement.objects.select_for_update().filter(
        programme_id=meeting.programme_id, status=Agreement.Status.OPEN
    )
    carried = 0
    for agreement in open_here.filter(follow_up=meeting):
        fields = {"follow_up": following, "times_carried": agreement.times_carried + 1}
        agreement.save(
            update_fields=apply_changes(agreement, fields, allowed=("follow_up", "times_carried"))
        )
        audit_log(
            actor=actor,
            organisation=meeting.organisation,
            action="agreement.carried",
            obj=agreement,
            data={"from": meeting.pk, "to": following.pk},
        )
        carried += 1
    open_here.filter(meeting=meeting, follow_up__isnull=True).update(follow_up=following)
    return carried


@transaction.atomic
def agreement_add(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    owner_name: str,
    owner: User | None = None,
    due_date: date | None = None,
) -> Agreement:
    """Record an agreement made at `meeting`: what, who, by when; audited. It is followed up
    at the next meeting (see `next_meeting`), or at the first one planned later."""
    agreement = Agreement(
        organisation=meeting.organisation,
        programme=meeting.programme,
        meeting=meeting,
        follow_up=next_meeting(meeting),
        text=text.strip(),
        owner_name=(owner_name or (owner.name if owner else "")).strip(),
        owner=owner,
        due_date=due_date,
    )
    agreement.full_clean()
    agreement.save()
    audit_log(
        actor=actor, organisation=meeting.organisation, action="agreement.added", obj=agreement
    )
    return agreement


@transaction.atomic
def agreement_set_done(*, actor: User, agreement: Agreement, done: bool) -> Agreement:
    """Mark an agreement done, or open again; audited."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    status = Agreement.Status.DONE if done else Agreement.Status.OPEN
    fields = {"status": status, "done_at": timezone.now() if done else None}
    if agreement.status == status:
        return agreement
    agreement.save(update_fields=apply_changes(agreement, fields, allowed=("status", "done_at")))
    audit_log(
        actor=actor,
        organisation=agreement.organisation,
        action=f"agreement.{status}",
        obj=agreement,
    )
    return agreement
