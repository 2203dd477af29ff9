"""Looks at a person's data are logged (who, when, what, where): an applicant on the
selection, a candidate as the client sees them, a survey respondent's contact details, a
team member's address on the users page (and a photo: tests/patrols/test_photo_review.py).
A list logs one row per person per page view, in one insert; the person page reads them per
person (`reads_about`), and they are deleted after their retention."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.models import ReadEntry
from programmes.permissions import Role
from programmes.selectors.reads import reads_about
from programmes.services.reads import READS_KEEP, reads_delete_expired, record_read
from recruitment import services as recruitment
from recruitment.models import Application

from ..builders import APPLICANT, candidate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open(team):
    recruitment.campaign_save(actor=None, programme=team[0], is_open=True)


def _apply(programme, n, start=0):
    return [
        recruitment.application_submit(
            programme=programme,
            **{
                **APPLICANT,
                "name": f"Bewoner {i}",
                "email": f"bewoner{i}@example.org",
                "house_number": str(i + 1),
            },
        )
        for i in range(start, start + n)
    ]


def _selection(world, programme):
    return reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def test_the_selection_logs_each_applicant_shown_once_per_view(client, world, team):
    programme = team[0]
    applications = _apply(programme, 3)
    leader = world.users[Role.PROJECT_LEADER]
    client.force_login(leader)
    before = timezone.now()
    assert client.get(_selection(world, programme)).status_code == 200
    entries = list(ReadEntry.objects.order_by("subject_id"))
    assert [e.subject_id for e in entries] == sorted(str(a.pk) for a in applications)
    for entry in entries:
        assert entry.reader == leader and entry.reader_name == str(leader)
        assert entry.reader_role == Role.PROJECT_LEADER
        assert entry.what == ReadEntry.What.APPLICATION
        assert entry.subject_type == "recruitment.application"
        assert entry.at >= before and entry.where == _selection(world, programme)
        assert entry.organisation_id == world.client.pk
    # Another look is another row per person, never more than one per person per view.
    client.get(_selection(world, programme))
    assert ReadEntry.objects.count() == 6
    first = applications[0]
    assert list(reads_about(person=first).values_list("what", flat=True)) == ["application"] * 2
    assert reads_about(email="BEWONER0@example.org ").count() == 2
    assert reads_about().count() == 0


def test_the_log_costs_one_insert_however_many_are_shown(client, world, team):
    programme = team[0]
    leader = world.users[Role.PROJECT_LEADER]
    client.force_login(leader)
    url = _selection(world, programme)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        inserts = [q for q in ctx.captured_queries if "programmes_readentry" in q["sql"]]
        return len(ctx.captured_queries), len(inserts)

    _apply(programme, 2)
    small = count()
    _apply(programme, 20, start=2)
    large = count()
    assert small == large
    assert small[1] == 1


def test_the_client_looking_at_candidates_is_logged(client, world, team):
    programme = team[0]
    proposed = candidate(world, programme)
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    url = reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    assert client.get(url).status_code == 200
    (entry,) = reads_about(person=proposed)
    assert entry.reader == staff and entry.what == ReadEntry.What.CANDIDATE
    assert entry.subject_email == APPLICANT["email"]


def test_respondents_contact_details_shown_are_logged(client, world, team):
    leader = world.users[Role.PROJECT_LEADER]
    survey = recruitment.survey_create(actor=leader, programme=team[0], title="Buurtonderzoek")
    recruitment.survey_set_status(actor=leader, survey=survey, status="open")
    join = survey.questions.get(asks_to_join=True)
    yes = recruitment.survey_respond(
        survey=survey,
        answers={join.pk: "ja"},
        channel="online",
        street="Lindelaan",
        contact={"consent": True, "name": "Kees", "email": "kees@example.org"},
    )
    recruitment.survey_respond(  # no contact details to show: nothing logged about them
        survey=survey, answers={join.pk: "nee"}, channel="online", contact={"consent": False}
    )
    client.force_login(leader)
    url = reverse(
        "recruitment:survey_results",
        kwargs={"org": world.client.slug, "programme_pk": team[0].pk, "survey_pk": survey.pk},
    )
    assert "Kees" in client.get(url).content.decode()
    (entry,) = ReadEntry.objects.all()
    assert (entry.subject_type, entry.subject_id) == ("recruitment.surveyresponse", str(yes.pk))
    assert entry.what == ReadEntry.What.RESPONDENT and entry.reader == leader
    assert list(reads_about(email="kees@example.org")) == [entry]


def test_team_members_on_the_users_page_are_logged(client, world, team):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    client.force_login(admin)
    assert client.get(reverse("user_list")).status_code == 200
    member = world.users[Role.TEAM_MEMBER]
    (entry,) = ReadEntry.objects.all()  # the member only, not the staff accounts
    assert (entry.subject_type, entry.subject_id) == ("programmes.user", str(member.pk))
    assert entry.what == ReadEntry.What.MEMBER and entry.subject_email == member.email
    assert list(reads_about(person=member)) == [entry]


def test_reads_of_another_tenant_stay_apart(world, other_world, team):
    (application,) = _apply(team[0], 1)
    record_read(
        user=world.users[Role.PROJECT_LEADER],
        subjects=[application, application],
        what="application",
    )
    assert ReadEntry.objects.count() == 1  # the same person twice on one page: one row
    assert reads_about(person=application, organisation=other_world.client).count() == 0
    assert reads_about(person=application, organisation=world.client).count() == 1


def test_an_anonymous_look_logs_nothing_and_old_reads_expire(world, team):
    (application,) = _apply(team[0], 1)
    assert record_read(user=None, subjects=[application], what="application") == 0
    leader = world.users[Role.PROJECT_LEADER]
    now = timezone.now()
    record_read(
        user=leader,
        subjects=application,
        what="application",
        now=now - READS_KEEP - dt.timedelta(days=1),
    )
    record_read(
        user=leader, subjects=application, what="application", now=now - dt.timedelta(days=30)
    )
    assert reads_delete_expired(now=now) == 1
    (kept,) = ReadEntry.objects.all()
    assert kept.at == now - dt.timedelta(days=30)
    assert Application.objects.filter(pk=application.pk).exists()


def test_the_admin_sees_per_person_who_read_their_data(client, world, team):
    programme = team[0]
    shown, other = _apply(programme, 2)
    leader = world.users[Role.PROJECT_LEADER]
    client.force_login(leader)
    client.get(_selection(world, programme))
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("privacy_person"), {"org": world.client.slug, "q": shown.email})
    assert page.status_code == 200
    reads = page.context["reads"]
    assert [(e.subject_id, e.reader_id) for e in reads] == [(str(shown.pk), leader.pk)]
    html = page.content.decode()
    assert "Wie de gegevens van deze persoon heeft ingezien" in html
    assert str(leader) in html and "Projectleider" in html and "project_leader" not in html
    nobody = client.get(reverse("privacy_person"), {"org": world.client.slug, "q": "x@y.nl"})
    assert "Niemand heeft de gegevens van deze persoon ingezien" in nobody.content.decode()
    assert other.email != shown.email
