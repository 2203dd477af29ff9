"""Reads of meeting series, agreements, a member's own invitations and attendance."""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ..models import Agreement, Invitee, Meeting, MeetingSeries, Programme


def series_of(*, programme: Programme) -> QuerySet[MeetingSeries]:
    """The programme's meeting series, with their number of meetings, the newest first."""
    return (
        programme.meeting_series.annotate(n_meetings=Count("meetings"))
        .select_related("organisation")
        .order_by("-first_date", "-pk")
    )


def get_series_for(*, programme: Programme, pk: int) -> MeetingSeries:
    """The series with this id in `programme`; 404 otherwise."""
    found = programme.meeting_series.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def meetings_of_series(*, series: MeetingSeries) -> QuerySet[Meeting]:
    """The series' meetings by start, each with its counts of invited, coming, not coming,
    attended and its agreements made (for a paginated list: one query per page)."""
    return (
        series.meetings.select_related("organisation")
        .annotate(
            n_invited=Count("invitees", distinct=True),
            n_accepted=Count(
                "invitees", filter=Q(invitees__status=Invitee.Status.ACCEPTED), distinct=True
            ),
            n_declined=Count(
                "invitees", filter=Q(invitees__status=Invitee.Status.DECLINED), distinct=True
            ),
            n_attended=Count("invitees", filter=Q(invitees__attended=True), distinct=True),
            n_agreements=Count("agreements", distinct=True),
        )
        .order_by("starts_at", "pk")
    )


def get_agreement_for(*, meeting: Meeting, pk: int) -> Agreement:
    """An agreement made at `meeting` or followed up there, by id; 404 otherwise."""
    found = (
        Agreement.objects.filter(programme_id=meeting.programme_id, pk=pk)
        .filter(Q(meeting=meeting) | Q(follow_up=meeting))
        .first()
    )
    if found is None:
        raise Http404
    return found


def agreements_made_at(*, meeting: Meeting) -> list[Agreement]:
    """The agreements made at `meeting`, in order, with where they are followed up."""
    return list(meeting.agreements.select_related("follow_up").order_by("created_at", "pk"))


def agreements_followed_up_at(*, meeting: Meeting) -> list[Agreement]:
    """The agreements of earlier meetings on `meeting`'s list: open ones carried here and
    those done here."""
    return list(
        meeting.agreements_to_follow_up.exclude(meeting=meeting)
        .select_related("meeting")
        .order_by("due_date", "created_at", "pk")
    )


def open_agreements(*, programme: Programme) -> QuerySet[Agreement]:
    """The programme's open agreements, the earliest due first (for a paginated list)."""
    return (
        programme.agreements.filter(status=Agreement.Status.OPEN)
        .select_related("meeting", "follow_up")
        .order_by("due_date", "created_at", "pk")
    )


def my_team_meeting_invitations(*, user, limit: int = 5) -> list[Invitee]:
    """`user`'s own invitations to team meetings still to come (the phone app's list),
    soonest first, in the active scope; one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Invitee.objects.filter(
            user=user,
            meeting__kind=Meeting.Kind.TEAM,
            meeting__ends_at__gt=timezone.now(),
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")[:limit]
    )


def attended_team_meetings(*, programme, start: datetime, end: datetime) -> dict[int, int]:
    """user id -> how many team meetings of `programme` (a Programme or its id) that start
    in [start, end) the user attended (as recorded by the project leader)."""
    rows = (
        Invitee.objects.filter(
            meeting__programme=programme,
            meeting__kind=Meeting.Kind.TEAM,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            attended=True,
            user__isnull=False,
        )
        .values("user_id")
        .annotate(n=Count("meeting_id", distinct=True))
    )
    return {row["user_id"]: row["n"] for row in rows}


def client_meetings(*, programme: Programme, past: bool) -> QuerySet[Meeting]:
    """The programme's meetings for the client's portal: to come (soonest first) or held
    (newest first), each with its agreements (one query per page plus one for them)."""
    now = timezone.now()
    qs = programme.meetings.select_related("series").prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.order_by("created_at", "pk"))
    )
    if past:
        return qs.filter(starts_at__lte=now).order_by("-starts_at", "-pk")
    return qs.filter(starts_at__gt=now).order_by("starts_at", "pk")
