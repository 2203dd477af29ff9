"""Guidance over the years: the evaluation schedule, evaluations with the team and the
client (the client's input, sharing as a PDF, the plan's milestone), the action plan, and a
closed programme that refuses every write but keeps reading."""

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.closure import ProgrammeClosed
from programmes.models import (
    Action,
    Document,
    Evaluation,
    EvaluationStatus,
    Notification,
    OutboxMessage,
    Partner,
    Progress,
)
from programmes.models.guidance import EVALUATION_REPORT, FINAL_REPORT
from programmes.permissions import Role
from programmes.selectors import guidance as selectors
from programmes.services import guidance

ADMIN, PL, STAFF, MEMBER = (
    Role.CONSULTANCY_ADMIN,
    Role.PROJECT_LEADER,
    Role.CLIENT_STAFF,
    Role.TEAM_MEMBER,
)
KICKOFF = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)


def _kickoff(programme):
    services.programme_progress_record(
        programme=programme, event=Progress.KICKOFF_HELD, when=KICKOFF
    )


def _url(name, programme, **kwargs):
    return reverse(
        name, kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk, **kwargs}
    )


# --- The schedule ------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert selectors.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert selectors.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert selectors.add_months(dt.date(2026, 1, 15), 12) == dt.date(2027, 1, 15)
    assert selectors.add_months(dt.date(2026, 10, 1), 3) == dt.date(2027, 1, 1)


def test_schedule_counts_from_the_kickoff_first_after_three_months_then_every_half_year(
    programme, unscoped
):
    # No kickoff yet: the daily work has not started, nothing is due.
    assert selectors.schedule_dates(programme=programme, until=dt.date(2030, 1, 1)) == []
    assert selectors.next_due(programme=programme, today=dt.date(2026, 12, 1)) is None
    _kickoff(programme)
    assert selectors.schedule_dates(programme=programme, until=dt.date(2028, 3, 1)) == [
        dt.date(2027, 2, 28),
        dt.date(2027, 8, 30),
        dt.date(2028, 2, 29),
    ]
    assert selectors.next_due(programme=programme, today=dt.date(2027, 3, 1)) == dt.date(
        2027, 8, 30
    )


def test_schedule_is_adjustable_per_programme(programme, unscoped, world):
    _kickoff(programme)
    guidance.evaluation_schedule_set(
        actor=world.users[PL],
        programme=programme,
        first_after_months=2,
        every_months=4,
        starts_on=dt.date(2027, 1, 1),
    )
    assert selectors.schedule_dates(programme=programme, until=dt.date(2027, 12, 31)) == [
        dt.date(2027, 3, 1),
        dt.date(2027, 7, 1),
        dt.date(2027, 11, 1),
    ]
    with pytest.raises(ValidationError):
        guidance.evaluation_schedule_set(
            actor=world.users[PL], programme=programme, first_after_months=0, every_months=99
        )


def test_due_evaluations_are_planned_once_and_the_project_leader_is_told(
    programme, unscoped, world, django_capture_on_commit_callbacks
):
    _kickoff(programme)
    # Three weeks before the first date (28 February 2027): nothing yet.
    assert guidance.evaluations_plan_due(programme=programme, today=dt.date(2027, 1, 31)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        planned = guidance.evaluations_plan_due(programme=programme, today=dt.date(2027, 2, 10))
    assert planned == 2
    rows = Evaluation.objects.filter(programme=programme)
    assert sorted(rows.values_list("kind", flat=True)) == ["client", "team"]
    assert set(rows.values_list("due_on", flat=True)) == {dt.date(2027, 2, 28)}
    told = Notification.objects.filter(
        recipient=world.users[PL], kind=guidance.EVALUATION_DUE
    ).count()
    assert told == 1
    # Run again (the beat job runs daily): nothing new, nobody told twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert guidance.evaluations_plan_due(programme=programme, today=dt.date(2027, 2, 11)) == 0
    assert Notification.objects.filter(kind=guidance.EVALUATION_DUE).count() == 1
    # A date long gone is history: a programme whose kickoff was years ago plans only the next.
    assert guidance.evaluations_plan_due(programme=programme, today=dt.date(2028, 8, 20)) == 2
    assert Evaluation.objects.filter(programme=programme).count() == 4


def test_the_periodic_job_plans_across_clients(programme, other_world, unscoped):
    from programmes.guidance_tasks import evaluations_plan_due_all

    _kickoff(programme)
    today = timezone.localdate()
    guidance.evaluation_schedule_set(
        actor=None,
        programme=programme,
        first_after_months=1,
        every_months=6,
        starts_on=selectors.add_months(today, -1),
    )
    assert evaluations_plan_due_all() == 2


# --- Evaluations ---------------------------------------------------------------------------


@pytest.fixture
def held_flow(programme, world, unscoped, django_capture_on_commit_callbacks):
    pl = world.users[PL]
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_generate(actor=pl, programme=programme)
        evaluation = guidance.evaluation_plan(
            actor=pl, programme=programme, kind="client", planned_on=dt.date(2027, 3, 1)
        )
    return programme, evaluation


def test_client_input_only_while_open_and_holding_ticks_the_milestone(
    held_flow, world, client, django_capture_on_commit_callbacks
):
    programme, evaluation = held_flow
    pl, staff = world.users[PL], world.users[STAFF]
    url = _url("portal_evaluation", programme, evaluation_pk=evaluation.pk)
    client.force_login(staff)
    # Planned, not open: the client sees it but cannot add input yet.
    page = client.get(url)
    assert page.status_code == 200 and b"<textarea" not in page.content
    client.post(url, {"client_input": "Te vroeg"})
    evaluation.refresh_from_db()
    assert evaluation.client_input == ""
    with django_capture_on_commit_callbacks(execute=True):
        guidance.evaluation_transition(actor=pl, evaluation=evaluation, new="open")
    assert Notification.objects.filter(recipient=staff, kind=guidance.EVALUATION_OPEN).exists()
    response = client.post(url, {"client_input": "De samenwerking met de huismeester loopt goed."})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.client_input.startswith("De samenwerking")
    assert evaluation.client_input_by == staff
    milestone = programme.milestones.get(key=Progress.EVALUATION_HELD)
    assert milestone.done_at is None
    guidance.evaluation_transition(actor=pl, evaluation=evaluation, new="held")
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    evaluation.refresh_from_db()
    assert evaluation.held_on == timezone.localdate()
    # Held: input is closed.
    with pytest.raises(ValidationError):
        guidance.evaluation_client_input(actor=staff, evaluation=evaluation, text="Nog iets")
    assert list(evaluation.events.values_list("to_status", flat=True)) == [
        "planned",
        "open",
        "held",
    ]


def test_moves_outside_the_table_are_refused(held_flow, world):
    programme, evaluation = held_flow
    pl = world.users[PL]
    with pytest.raises(ValidationError):
        guidance.evaluation_transition(actor=pl, evaluation=evaluation, new="shared")
    team = guidance.evaluation_plan(
        actor=pl, programme=programme, kind="team", planned_on=dt.date(2027, 3, 2)
    )
    with pytest.raises(ValidationError):  # only the client's evaluation asks for input
        guidance.evaluation_transition(actor=pl, evaluation=team, new="open")


def test_sharing_makes_a_pdf_the_client_sees(
    held_flow, world, client, django_capture_on_commit_callbacks
):
    programme, _ = held_flow
    pl = world.users[PL]
    team = guidance.evaluation_plan(
        actor=pl, programme=programme, kind="team", planned_on=dt.date(2027, 3, 2)
    )
    guidance.evaluation_update(
        actor=pl,
        evaluation=team,
        went_well="Vaste rondes op dinsdag",
        to_improve="Meer bewoners aanspreken",
        agreements="Elke maand een teamoverleg\nNieuwe hesjes bestellen",
    )
    guidance.evaluation_transition(actor=pl, evaluation=team, new="held")
    client.force_login(world.users[STAFF])
    # Held but not shared: the team's evaluation is not the client's yet.
    assert (
        client.get(_url("portal_evaluation", programme, evaluation_pk=team.pk)).status_code == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        guidance.evaluation_transition(actor=pl, evaluation=team, new="shared")
    team.refresh_from_db()
    document = Document.objects.get(pk=team.document_id)
    assert document.kind == EVALUATION_REPORT and document.status == Document.Status.READY
    assert document.file.read(5) == b"%PDF-"
    assert str(document.label).startswith(("Evaluatie", "Evaluation"))
    page = client.get(_url("portal_evaluation", programme, evaluation_pk=team.pk))
    assert page.status_code == 200
    assert "Vaste rondes op dinsdag" in page.content.decode()
    assert "Nieuwe hesjes bestellen" in page.content.decode()
    download = reverse(
        "document_download",
        kwargs={
            "org": programme.organisation.slug,
            "programme_pk": programme.pk,
            "document_pk": document.pk,
        },
    )
    assert download in page.content.decode()
    assert client.get(download).status_code == 200
    # A shared evaluation is final.
    with pytest.raises(ValidationError):
        guidance.evaluation_update(actor=pl, evaluation=team, went_well="Anders")


def test_evaluation_pdf_shows_the_form(held_flow, world):
    from programmes.pdf import render_html

    programme, evaluation = held_flow
    guidance.evaluation_update(
        actor=world.users[PL], evaluation=evaluation, went_well="Goede sfeer", agreements="A\nB"
    )
    document = Document(
        organisation=programme.organisation,
        programme=programme,
        kind=EVALUATION_REPORT,
        ref=selectors.evaluation_document_ref(evaluation),
    )
    template, context, language = selectors.evaluation_pdf(document)
    html = render_html(template=template, context=context, language=language)
    assert "Goede sfeer" in html and "<li>A</li>" in html and programme.name in html


# --- The action plan ---------------------------------------------------------------------


def test_action_plan_with_partner_of_the_programme_only(programme, world, unscoped, client):
    pl = world.users[PL]
    partner = Partner.objects.create(
        organisation=programme.organisation, programme=programme, name="Jan", role="caretaker"
    )
    action = guidance.action_create(
        actor=pl,
        programme=programme,
        title="Grofvuilactie in de Lindelaan",
        owner="Team",
        partner=partner,
        source=Action.Source.SURVEY,
        due_on=dt.date(2027, 4, 1),
    )
    guidance.action_update(actor=pl, action=action, status=Action.Status.IN_PROGRESS)
    assert selectors.action_counts(programme=programme)["in_progress"] == 1
    with scopes_disabled():
        from programmes.models import Programme

        other = Programme.objects.create(
            organisation=programme.organisation,
            name="Ander",
            neighbourhood="Zuid",
            municipality="Noordstad",
            start_date=dt.date(2026, 9, 7),
        )
        stranger = Partner.objects.create(
            organisation=programme.organisation, programme=other, name="Piet", role="welfare"
        )
    with pytest.raises(ValidationError):
        guidance.action_update(actor=pl, action=action, partner=stranger)
    client.force_login(world.users[STAFF])
    page = client.get(_url("portal_actions", programme)).content.decode()
    assert "Grofvuilactie in de Lindelaan" in page and "Jan" in page


def test_action_form_refuses_bad_input_without_500(programme, world, client, unscoped):
    client.force_login(world.users[PL])
    url = _url("programme_actions", programme)
    response = client.post(
        url, {"title": "x" * 500, "owner": "", "status": "nonsense", "due_on": "2026-13-45"}
    )
    assert response.status_code == 200
    assert not Action.objects.filter(programme=programme).exists()


@pytest.mark.parametrize(
    "name", ["programme_evaluations", "programme_actions", "portal_evaluations", "portal_actions"]
)
def test_list_pages_take_the_same_queries_for_few_and_many_rows(
    name, programme, world, client, unscoped
):
    pl = world.users[PL]
    client.force_login(world.users[ADMIN])

    def grow(n):
        for i in range(n):
            evaluation = guidance.evaluation_plan(
                actor=pl,
                programme=programme,
                kind="client",
                planned_on=dt.date(2027, 1, 1 + i % 28),
            )
            guidance.action_create(
                actor=pl,
                programme=programme,
                title=f"Actie {i}",
                owner="Team",
                source="evaluation",
                evaluation=evaluation,
                due_on=dt.date(2027, 2, 1 + i % 28),
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(name, programme)).status_code == 200
        return len(ctx)

    grow(3)
    small = count()
    grow(40)
    assert count() == small


# --- Closing -------------------------------------------------------------------------------


@pytest.fixture
def closed(programme, world, unscoped, django_capture_on_commit_callbacks, mailoutbox):
    pl = world.users[PL]
    member = world.users[MEMBER]
    roster = services.team_member_add(actor=pl, programme=programme, user=member)
    services.team_member_set_ready(actor=pl, member=roster, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        guidance.action_create(
            actor=pl, programme=programme, title="Bankje plaatsen", owner="Gemeente", source="other"
        )
        closure = guidance.programme_close(actor=pl, programme=programme, note="Dank jullie wel!")
    return programme, closure


def test_closing_thanks_the_members_and_makes_the_final_report(closed, world, mailoutbox):
    programme, closure = closed
    assert closure.thanked == 1
    thanks = OutboxMessage.objects.filter(
        programme=programme, template="programmes/programme_thanks"
    )
    assert list(thanks.values_list("to_email", flat=True)) == [world.users[MEMBER].email]
    assert "Dank jullie wel!" in thanks.get().body_text
    report = Document.objects.get(pk=closure.final_report_id)
    assert report.kind == FINAL_REPORT and report.status == Document.Status.READY
    assert report.file.read(5) == b"%PDF-"
    with pytest.raises(ValidationError):  # once
        guidance.programme_close(actor=world.users[PL], programme=programme)
    with pytest.raises(ProgrammeClosed):  # services refuse too, whoever calls them
        guidance.action_create(
            actor=world.users[PL], programme=programme, title="Nog een", owner="x", source="other"
        )


def test_close_page_posts_and_then_says_how_it_was_closed(programme, world, client, unscoped):
    client.force_login(world.users[PL])
    url = _url("programme_close", programme)
    assert "confirm" in client.get(url).content.decode()
    # Without the confirmation nothing happens.
    assert client.post(url, {"note": "Bedankt"}).status_code == 200
    assert not selectors.programme_is_closed(programme=programme, fresh=True)
    assert client.post(url, {"note": "Bedankt", "confirm": "on"}).status_code == 302
    assert selectors.programme_is_closed(programme=programme, fresh=True)
    page = client.get(url).content.decode()
    assert "Bedankt" in page and 'name="confirm"' not in page


def _programme_urls():
    """Every named URL of ours with the programme in its address, and the view behind it."""
    from tests.programmes.test_url_access import OUR_URLS

    return [(name, kwargs, view) for name, kwargs, view in OUR_URLS if "programme_pk" in kwargs]


def test_a_closed_programme_refuses_every_write_and_keeps_every_read(
    closed, client, world, django_capture_on_commit_callbacks
):
    from tests.programmes.test_url_access import _handled

    programme, _ = closed
    pl = world.users[PL]
    evaluation = Evaluation.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind="client",
        planned_on=dt.date(2027, 3, 1),
        status=EvaluationStatus.OPEN,
    )
    ids = {
        "org": programme.organisation.slug,
        "programme_pk": programme.pk,
        "evaluation_pk": evaluation.pk,
        "action_pk": Action.objects.filter(programme=programme).first().pk,
    }
    refused, read = [], []
    for name, kwargs, view in _programme_urls():
        if set(kwargs) - set(ids):
            continue  # an object of another app: its own tests cover it
        if getattr(view, "public", False):
            continue  # the public pages of a programme (the application form) answer no one's role
        url = reverse(name, kwargs={k: ids[k] for k in kwargs})
        handled = _handled(view)
        for user in (world.users[ADMIN], pl, world.users[STAFF]):
            client.force_login(user)
            if "POST" in handled and not getattr(view, "writes_when_closed", False):
                response = client.post(url, {"note": "x", "confirm": "on", "status": "held"})
                # Refused: 403, never a page that saved nor a 500.
                assert response.status_code == 403, (name, user.role, response.status_code)
                if view.allows(user, "POST"):  # the role may: the page says why it may not
                    text = response.content.decode()
                    assert "archive" in text or "archief" in text, (name, user.role)
                    refused.append(name)
            if "GET" in handled:
                response = client.get(url)
                assert response.status_code in (200, 302, 403), (name, response.status_code)
                if response.status_code == 200:
                    read.append(name)
    # The consultancy's and the client's programme pages all said why.
    for name in (
        "programme_intake",
        "programme_plan",
        "programme_actions",
        "programme_close",
        "programme_evaluation",
        "portal_evaluation",
        "evaluation_transition",
    ):
        assert name in refused, name
    for name in (
        "programme_detail",
        "programme_plan",
        "programme_evaluations",
        "portal_programme",
        "portal_actions",
        "portal_evaluation",
    ):
        assert name in read, name
    # Nothing was written by any of them.
    evaluation.refresh_from_db()
    assert evaluation.client_input == "" and evaluation.status == EvaluationStatus.OPEN
    assert Action.objects.filter(programme=programme).count() == 1
    # Closed pages hide their forms and say "Closed".
    client.force_login(pl)
    page = client.get(_url("programme_actions", programme)).content.decode()
    assert 'name="title"' not in page and ("Afgesloten" in page or "Closed" in page)


def test_the_phone_app_gets_a_clear_refusal_from_a_closed_programme(closed, client, world):
    programme, _ = closed
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("patrols:api_round_start", kwargs={"org": programme.organisation.slug}),
        data=json.dumps(
            {
                "id": str(uuid.uuid4()),
                "programme": programme.pk,
                "started_at": timezone.now().isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    body = response.json()
    assert body["permanent"] is True
    assert "archive" in body["reason"] or "archief" in body["reason"]


def test_round_signup_and_signal_follow_up_of_a_closed_programme_are_refused(
    programme, world, client, unscoped
):
    from patrols import services as patrols
    from patrols.models import RoundSlot, Signal

    pl, member, staff = world.users[PL], world.users[MEMBER], world.users[STAFF]
    roster = services.team_member_add(actor=pl, programme=programme, user=member)
    services.team_member_set_ready(actor=pl, member=roster, ready=True)
    (slot,) = patrols.round_slot_create(
        actor=pl,
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Plein",
    )
    signal, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=patrols.categories_ensure(programme=programme)[0],
        description="Matras",
        reported_at=timezone.now(),
        street="Lindelaan",
    )
    guidance.programme_close(actor=pl, programme=programme)
    org = programme.organisation.slug
    client.force_login(member)
    response = client.post(
        reverse("patrols:round_signup", kwargs={"org": org, "slot_pk": slot.pk}), {"signup": "1"}
    )
    assert response.status_code == 403 and "archi" in response.content.decode()
    assert not RoundSlot.objects.get(pk=slot.pk).signups.exists()
    client.force_login(staff)
    url = reverse("patrols:portal_signal", kwargs={"org": org, "signal_pk": signal.pk})
    response = client.post(url, {"status": "resolved", "note": "Opgehaald"})
    assert response.status_code == 403 and "archi" in response.content.decode()
    assert Signal.objects.get(pk=signal.pk).status == signal.status
    assert client.get(url).status_code == 200  # reading it still works
    # The public application form of a closed programme takes no application either.
    client.logout()
    response = client.post(
        reverse("recruitment:apply", kwargs={"org": org, "programme_pk": programme.pk}),
        {"name": "Nieuwe Bewoner", "email": "nieuw@example.org"},
    )
    assert response.status_code == 403 and "archi" in response.content.decode()


def test_the_action_form_saves_a_change_of_status(programme, world, client, unscoped):
    pl = world.users[PL]
    action = guidance.action_create(
        actor=pl, programme=programme, title="Bankje plaatsen", owner="Gemeente", source="other"
    )
    client.force_login(pl)
    url = _url("action_update", programme, action_pk=action.pk)
    assert 'value="Bankje plaatsen"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"title": "Bankje plaatsen", "owner": "Gemeente", "status": "done", "source": "other"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    from programmes.models import AuditEntry

    entry = AuditEntry.objects.filter(action="action.updated").get()
    assert entry.data["status"] == ["planned", "done"]


def test_closed_programmes_are_marked_in_the_workspace_and_on_the_portal_home(
    programme, world, client, unscoped
):
    guidance.programme_close(actor=world.users[PL], programme=programme)
    client.force_login(world.users[PL])
    row = client.get(reverse("workspace")).content.decode()
    assert programme.name in row and ("Afgesloten" in row or "Closed" in row)
    client.force_login(world.users[STAFF])
    home = client.get(reverse("portal_home", kwargs={"org": programme.organisation.slug}))
    assert 'badge text-bg-secondary align-middle">' in home.content.decode()


def test_a_programme_page_knows_whether_it_was_closed_without_asking_again(
    programme, world, client, unscoped
):
    """The programme's own statement says whether it was closed: every programme page asks,
    so no query of its own for it, open or closed."""
    client.force_login(world.users[PL])
    url = reverse(
        "programme_detail",
        kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk},
    )

    def look():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200
        alone = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith("SELECT 1 AS") and "programmes_programmeclosure" in q["sql"]
        ]
        return page.content.decode(), alone

    html, alone = look()
    assert alone == [] and "Afgesloten" not in html
    guidance.programme_close(actor=world.users[PL], programme=programme)
    html, alone = look()
    assert alone == [] and "Afgesloten" in html
