"""Team meetings as a series: dates across the clock change, inviting everyone in one action
with a calendar file, agreements followed up until done, the member's answer from the phone,
the client's view and attendance."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import Agreement, BulkJob, Invitee, MeetingSeries, OutboxMessage, TeamMember
from programmes.permissions import Role
from programmes.selectors.meeting_series import attended_team_meetings
from programmes.services import meeting_series as series_services
from programmes.services.meeting_series import series_dates
from programmes.services.meetings import invitee_create
from programmes.services.membership import membership_pause

from ..factories import UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY = MeetingSeries.Weekday.TUESDAY


def _series(world, programme, **fields):
    values = {
        "title": "Teamoverleg",
        "location": "Buurthuis",
        "description": "",
        "rule": MeetingSeries.Rule.MONTHLY,
        "weekday": TUESDAY,
        "nth": 1,
        "interval_weeks": None,
        "first_date": dt.date(2026, 9, 1),
        "until": dt.date(2027, 6, 30),
        "start_time": dt.time(19, 30),
        "duration_minutes": 90,
        **fields,
    }
    return series_services.series_create(
        actor=world.users[Role.PROJECT_LEADER], programme=programme, **values
    )


def test_first_tuesday_of_the_month():
    days = series_dates(
        rule="monthly",
        weekday=TUESDAY,
        nth=1,
        first_date=dt.date(2026, 9, 2),  # after September's first Tuesday (1 September)
        until=dt.date(2026, 12, 31),
    )
    assert days == [dt.date(2026, 10, 6), dt.date(2026, 11, 3), dt.date(2026, 12, 1)]
    last = series_dates(
        rule="monthly", weekday=4, nth=-1, first_date=dt.date(2027, 1, 1), until=dt.date(2027, 3, 1)
    )
    assert last == [dt.date(2027, 1, 29), dt.date(2027, 2, 26)]


def test_every_n_weeks_starts_on_the_first_such_weekday():
    days = series_dates(
        rule="weeks",
        weekday=TUESDAY,
        interval_weeks=3,
        first_date=dt.date(2026, 10, 15),  # a Thursday
        until=dt.date(2026, 11, 30),
    )
    assert days == [dt.date(2026, 10, 20), dt.date(2026, 11, 10)]


def test_local_time_stays_1930_across_the_clock_changes(world, programme, unscoped):
    """Summer time ends on 25 October 2026 and starts on 28 March 2027: the meetings stay at
    19:30 in Amsterdam, which is 17:30 UTC in summer and 18:30 UTC in winter."""
    series = _series(
        world,
        programme,
        rule=MeetingSeries.Rule.WEEKS,
        interval_weeks=1,
        first_date=dt.date(2026, 10, 13),
        until=dt.date(2026, 11, 3),
    )
    meetings = list(series.meetings.order_by("starts_at"))
    assert [m.starts_at.astimezone(AMS).time() for m in meetings] == [dt.time(19, 30)] * 4
    utc = [m.starts_at.astimezone(dt.UTC).hour for m in meetings]
    assert utc == [17, 17, 18, 18]  # 13 and 20 October in summer time, then winter time
    assert all(m.ends_at - m.starts_at == dt.timedelta(minutes=90) for m in meetings)
    spring = _series(
        world, programme, first_date=dt.date(2027, 3, 1), until=dt.date(2027, 4, 30)
    )  # 2 March (winter) and 6 April (summer)
    hours = [
        (m.starts_at.astimezone(AMS).time(), m.starts_at.astimezone(dt.UTC).hour)
        for m in spring.meetings.order_by("starts_at")
    ]
    assert hours == [(dt.time(19, 30), 18), (dt.time(19, 30), 17)]


def test_a_series_is_bounded(world, programme, unscoped):
    with pytest.raises(ValidationError) as error:
        _series(world, programme, until=dt.date(2029, 1, 1))
    assert "until" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        _series(world, programme, rule=MeetingSeries.Rule.WEEKS, interval_weeks=None)
    assert "interval_weeks" in error.value.error_dict
    with pytest.raises(ValidationError):
        _series(world, programme, duration_minutes=5)
    assert not MeetingSeries.objects.exists()


def _roster(world, programme, n=2):
    pl = world.users[Role.PROJECT_LEADER]
    members = []
    for i in range(n):
        user = UserFactory(
            email=f"lid{i}@noord.example", role=Role.TEAM_MEMBER, organisation=world.client
        )
        members.append(services.team_member_add(actor=pl, programme=programme, user=user))
    return members


def test_invite_everyone_leaves_out_who_left_and_sends_one_mail_with_a_calendar(
    world, programme, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    staying, leaving, pausing = _roster(world, programme, n=3)
    TeamMember.objects.filter(pk=leaving.pk).update(is_active=False)  # left the team
    membership_pause(actor=pl, member=pausing, until=timezone.localdate() + dt.timedelta(days=9))
    services.programme_intake_save(
        actor=pl,
        programme=programme,
        vision="",
        starting_points="",
        goals=[],
        partners=[
            {
                "name": "Wijkagent Bas",
                "partner_organisation": "Politie",
                "role": "community_officer",
                "email": "bas@politie.example",
                "phone": "",
            }
        ],
    )
    first = timezone.localdate() + dt.timedelta(days=1)
    series = _series(world, programme, first_date=first, until=first + dt.timedelta(days=100))
    meetings = series.meetings.count()
    with django_capture_on_commit_callbacks(execute=True):
        invited = series_services.series_invite_everyone(actor=pl, series=series)
    emails = {staying.user.email, world.users[Role.CLIENT_STAFF].email, "bas@politie.example"}
    assert invited == 3
    assert set(Invitee.objects.values_list("email", flat=True)) == emails
    assert Invitee.objects.count() == 3 * meetings
    assert not Invitee.objects.filter(email__in=[leaving.user.email, pausing.user.email]).exists()
    # The member's invitations carry their account, so the phone app finds them.
    assert Invitee.objects.filter(user=staying.user).count() == meetings
    rows = OutboxMessage.objects.filter(template="programmes/series_invitation")
    assert rows.count() == 3  # one mail per person for every date
    row = rows.get(to_email=staying.user.email)
    (file,) = row.files
    assert file["type"] == "text/calendar" and file["name"].endswith(".ics")
    ics = default_storage.open(file["path"]).read().decode()
    assert ics.count("BEGIN:VEVENT") == meetings and "DTSTART:" in ics
    assert len(re.findall(r"/meeting/[\w-]+/([\w-]+)/", row.body_text)) == meetings
    sent = [m for m in mailoutbox if staying.user.email in m.to[0]]
    assert sent and any(a[0].endswith(".ics") for a in sent[0].attachments)
    # Again: nobody is invited twice, nobody mailed twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert series_services.series_invite_everyone(actor=pl, series=series) == 0
    assert rows.count() == 3 and Invitee.objects.count() == 3 * meetings


def test_many_people_are_invited_by_a_bulk_job(
    world, programme, unscoped, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    _roster(world, programme, n=series_services.SYNC_MAX + 1)
    first = timezone.localdate() + dt.timedelta(days=1)
    series = _series(world, programme, first_date=first, until=first + dt.timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        job = series_services.series_invite_everyone(actor=pl, series=series)
    assert isinstance(job, BulkJob)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE and job.done == series_services.SYNC_MAX + 2
    people = series_services.SYNC_MAX + 2  # the members and the client contact
    assert Invitee.objects.count() == people * series.meetings.count()
    assert OutboxMessage.objects.filter(template="programmes/series_invitation").count() == people


def test_open_agreements_are_carried_to_the_next_meeting(world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    series = _series(world, programme, first_date=dt.date(2026, 9, 1), until=dt.date(2026, 12, 1))
    first, second, third, fourth = series.meetings.order_by("starts_at")
    bins = series_services.agreement_add(
        actor=pl, meeting=first, text="Kliko's aankaarten", owner_name="Fatima", due_date=None
    )
    flyer = series_services.agreement_add(
        actor=pl, meeting=first, text="Flyer maken", owner_name="Henk"
    )
    assert bins.follow_up == second and flyer.follow_up == second
    assert series_services.meeting_notes_save(actor=pl, meeting=first, notes="Goed overleg") == 0
    # At the second meeting the flyer is done and the bins are not: they go on to the third.
    series_services.agreement_set_done(actor=pl, agreement=flyer, done=True)
    assert series_services.meeting_notes_save(actor=pl, meeting=second, notes="Kort") == 1
    bins.refresh_from_db()
    flyer.refresh_from_db()
    assert (bins.follow_up, bins.times_carried, bins.status) == (third, 1, Agreement.Status.OPEN)
    assert (flyer.follow_up, flyer.status) == (second, Agreement.Status.DONE)
    assert series_services.meeting_notes_save(actor=pl, meeting=third, notes="") == 1
    bins.refresh_from_db()
    assert (bins.follow_up, bins.times_carried) == (fourth, 2)
    # The last meeting has no next one: the agreement waits for the next series planned.
    series_services.meeting_notes_save(actor=pl, meeting=fourth, notes="")
    bins.refresh_from_db()
    assert bins.follow_up == fourth
    later = _series(world, programme, first_date=dt.date(2027, 1, 1), until=dt.date(2027, 3, 1))
    made_last = series_services.agreement_add(
        actor=pl, meeting=fourth, text="Buurtfeest", owner_name="Ans"
    )
    assert made_last.follow_up == later.meetings.order_by("starts_at").first()


def test_the_meeting_page_records_agenda_notes_and_agreements(login, world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    series = _series(world, programme, first_date=dt.date(2026, 9, 1), until=dt.date(2026, 11, 30))
    first, second, _third = series.meetings.order_by("starts_at")
    client = login(pl)
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk, "meeting_pk": first.pk}
    page = reverse("meeting_detail", kwargs=kwargs)
    client.post(reverse("meeting_agenda", kwargs=kwargs), {"agenda": "1. Rondes\n2. Meldingen"})
    response = client.post(
        reverse("agreement_create", kwargs=kwargs),
        {"agreement-text": "Wijkagent uitnodigen", "agreement-owner_name": "Henk"},
    )
    assert response.status_code == 302
    # Refused input keeps what was typed and says why; nothing is stored.
    refused = client.post(
        reverse("agreement_create", kwargs=kwargs),
        {"agreement-text": "", "agreement-owner_name": "Henk", "agreement-due_date": "99999-1-1"},
    )
    assert refused.status_code == 200 and Agreement.objects.count() == 1
    response = client.post(reverse("meeting_notes", kwargs=kwargs), {"notes": "Goed overleg."})
    html = client.get(page).content.decode()
    assert "1. Rondes<br>2. Meldingen" in html and "Goed overleg." in html
    assert "Wijkagent uitnodigen" in html
    html = client.get(reverse("meeting_detail", kwargs={**kwargs, "meeting_pk": second.pk}))
    assert "Wijkagent uitnodigen" in html.content.decode()  # to follow up at the next one


def test_a_member_answers_from_the_phone_only_their_own(
    login, world, programme, unscoped, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    member, other = _roster(world, programme)
    first = timezone.localdate() + dt.timedelta(days=3)
    series = _series(world, programme, first_date=first, until=first + dt.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        series_services.series_invite_everyone(actor=pl, series=series)
    mine = Invitee.objects.filter(user=member.user).order_by("meeting__starts_at").first()
    theirs = Invitee.objects.filter(user=other.user).first()
    client = login(member.user)
    url = reverse("team_meeting_answer", kwargs={"org": world.client.slug, "invitee_pk": mine.pk})
    response = client.post(url, {"attending": "yes"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Invitee.Status.ACCEPTED
    client.post(url, {"attending": "no"})
    mine.refresh_from_db()
    assert mine.status == Invitee.Status.DECLINED
    url = reverse("team_meeting_answer", kwargs={"org": world.client.slug, "invitee_pk": theirs.pk})
    assert client.post(url, {"attending": "yes"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Invitee.Status.INVITED
    home = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    assert home.status_code == 200
    html = home.content.decode()
    assert html.count("data-team-meeting") == min(3, series.meetings.count()) > 0
    assert "Ik kom niet" in html and "Ik kom<" in html


def test_attended_team_meetings_are_counted(world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    (member,) = _roster(world, programme, n=1)
    series = _series(world, programme, first_date=dt.date(2026, 9, 1), until=dt.date(2026, 10, 31))
    september, october = series.meetings.order_by("starts_at")
    for meeting in (september, october):
        invitee, _token = invitee_create(
            actor=pl, meeting=meeting, name="Lid", email=member.user.email, user=member.user
        )
        services.invitee_set_attended(actor=pl, invitee=invitee, attended=meeting == september)
    start = dt.datetime(2026, 9, 1, tzinfo=AMS)
    assert attended_team_meetings(
        programme=programme, start=start, end=dt.datetime(2026, 11, 1, tzinfo=AMS)
    ) == {member.user_id: 1}
    assert (
        attended_team_meetings(
            programme=programme,
            start=dt.datetime(2026, 10, 1, tzinfo=AMS),
            end=dt.datetime(2026, 11, 1, tzinfo=AMS),
        )
        == {}
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_lists_of_meetings_and_agreements_keep_their_query_count(login, world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    few = _series(world, programme, first_date=dt.date(2026, 9, 1), until=dt.date(2026, 10, 31))
    many = _series(
        world,
        programme,
        rule=MeetingSeries.Rule.WEEKS,
        interval_weeks=1,
        first_date=dt.date(2026, 9, 1),
        until=dt.date(2027, 10, 1),
    )

    def agreements(series, n):
        for meeting in series.meetings.all()[:n]:
            series_services.agreement_add(actor=pl, meeting=meeting, text="A", owner_name="B")
            series_services.agreement_add(actor=pl, meeting=meeting, text="C", owner_name="D")

    agreements(few, 1)
    agreements(many, 60)
    org = world.client.slug
    pl_client = login(pl)
    small = _count(
        pl_client,
        reverse(
            "meeting_series_detail",
            kwargs={"org": org, "programme_pk": programme.pk, "series_pk": few.pk},
        ),
    )
    large = _count(
        pl_client,
        reverse(
            "meeting_series_detail",
            kwargs={"org": org, "programme_pk": programme.pk, "series_pk": many.pk},
        ),
    )
    assert small == large
    staff = login(world.users[Role.CLIENT_STAFF])
    portal = reverse("portal_meetings", kwargs={"org": org, "programme_pk": programme.pk})
    counts = {show: _count(staff, f"{portal}?show={show}") for show in ("held", "agreements")}
    agreements(many, 60)  # more agreements on the same meetings
    assert counts == {show: _count(staff, f"{portal}?show={show}") for show in counts}
    html = staff.get(f"{portal}?show=held").content.decode()
    assert "data-portal-meeting" in html and "data-agreement" in html
