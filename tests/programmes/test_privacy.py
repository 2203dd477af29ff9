"""The register of personal data, the retention rules, and a person's export and erasure.

Rule of the register: every CharField, TextField, EmailField, SlugField, URLField, FileField,
ImageField, GenericIPAddressField and JSONField of every model of the project is declared in
an app's `privacy.py`, either personal (with the kind of person, purpose, legal ground,
retention and who sees it) or not personal. A new field that is in neither fails here.
"""

import dataclasses
import datetime as dt
import io
import json
import uuid
import zipfile

import pytest
from django.apps import apps
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from programmes import privacy
from programmes.models import (
    AuditEntry,
    OutboxMessage,
    PrivacyRequest,
    RetentionRun,
    RetentionSetting,
    User,
)
from programmes.permissions import Role
from programmes.services import privacy as privacy_services
from recruitment import services as recruitment
from recruitment.models import Application, SurveyResponse
from reporting.selectors.figures import period_figures

PIET = {
    "consent": "ja",
    "name": "Piet Bakker",
    "email": "piet.bakker@example.org",
    "phone": "0612345678",
    "street": "Lindelaan",
    "house_number": "17",
    "postcode": "3031 AB",
    "motivation": "Ik woon hier al twintig jaar",
}
KLAAS = {
    **PIET,
    "name": "Klaas Visser",
    "email": "klaas.visser@example.org",
    "phone": "0687654321",
    "street": "Eikenlaan",
    "house_number": "4",
}


def traces(*needles) -> list[str]:
    """Every text, e-mail and JSON column of every model in the database that still holds
    one of `needles` (any case): "app.Model.field: needle"."""
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField | models.JSONField):
                continue
            rows = model._base_manager.annotate(_t=Cast(f.name, TextField()))
            for needle in needles:
                if rows.filter(_t__icontains=needle).exists():
                    found.append(f"{model._meta.label}.{f.name}: {needle}")
    return found


# The register -------------------------------------------------------------------------------


def test_every_text_file_and_json_field_is_declared_personal_or_not():
    assert privacy.undeclared_fields() == []


def test_the_check_catches_a_field_that_is_not_declared():
    saved = privacy._not_personal["patrols.signalcategory"]
    privacy._not_personal["patrols.signalcategory"] = set()
    try:
        assert "patrols.SignalCategory.name" in privacy.undeclared_fields()
    finally:
        privacy._not_personal["patrols.signalcategory"] = saved


def test_register_names_real_fields_and_says_why_and_how_long():
    kinds = set()
    for entry in privacy.register_entries():
        model = apps.get_model(entry.model)
        for name in entry.fields:
            model._meta.get_field(name)  # raises for a typo
        assert entry.purpose and entry.retention and entry.seen_by
        assert entry.legal_ground in privacy.GROUND_LABELS
        kinds.add(entry.kind)
    assert {
        privacy.APPLICANT,
        privacy.MEMBER,
        privacy.RESPONDENT,
        privacy.CLIENT_CONTACT,
        privacy.RESIDENT,
    } <= kinds


# Export and erasure -------------------------------------------------------------------------


@pytest.fixture
def applicants(team):
    programme = team[0]
    recruitment.campaign_save(actor=None, programme=programme, is_open=True)
    piet = recruitment.application_submit(programme=programme, **PIET)
    klaas = recruitment.application_submit(programme=programme, **KLAAS)
    return piet, klaas


def _archive(admin, organisation, subject):
    data, count = privacy_services.privacy_export(
        actor=admin, organisation=organisation, subject=subject
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read("gegevens.json")), archive, count


def test_export_has_everything_about_the_applicant_and_nothing_about_another(world, applicants):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    payload, _archive_file, count = _archive(admin, world.client, PIET["email"])
    text = json.dumps(payload)
    assert "Piet Bakker" in text and PIET["phone"] in text and "Lindelaan 17" in text
    assert "twintig jaar" in text  # the motivation
    assert payload["records"]["application"][0]["consent_text"] == "ja"
    assert "mail" in payload["records"]  # the confirmation mail sent to them
    assert "Klaas" not in text and KLAAS["email"] not in text
    assert count >= 2
    log = PrivacyRequest.objects.get(action="export")
    assert log.status == "done" and log.handled_by == admin
    assert AuditEntry.objects.filter(action="privacy.exported").count() == 1


def test_export_of_a_member_has_their_signals_and_photos(world, team):
    programme, member, categories = team
    patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Losse stoeptegel bij de school",
        reported_at=timezone.now(),
    )
    from django.core.files.base import ContentFile

    from patrols.models import Signal, SignalPhoto
    from programmes.demo import _logo_png

    signal = Signal.objects.get(reported_by=member)
    photo = SignalPhoto(organisation=world.client, signal=signal, status="ready")
    photo.image.save("tegel.png", ContentFile(_logo_png("T", "#123456")), save=False)
    photo.save()
    admin = world.users[Role.CONSULTANCY_ADMIN]
    payload, archive, _count = _archive(admin, world.client, member.email)
    assert payload["records"]["account"][0]["email"] == member.email
    signals = payload["records"]["patrols"][0]["signals"]
    assert [s["description"] for s in signals] == ["Losse stoeptegel bij de school"]
    assert "admin@" not in json.dumps(payload)  # nobody else's account
    assert f"bestanden/foto-{photo.pk}.png" in archive.namelist()
    assert archive.read(f"bestanden/foto-{photo.pk}.png")[:4] == b"\x89PNG"


def test_erasing_an_applicant_leaves_no_trace_and_keeps_the_other(world, applicants):
    piet, klaas = applicants
    admin = world.users[Role.CONSULTANCY_ADMIN]
    assert traces("Piet Bakker", PIET["email"]), "the test data should mention Piet"
    counts = privacy_services.privacy_erase(
        actor=admin, organisation=world.client, subject=PIET["email"], confirm=PIET["email"]
    )
    assert counts["application"] == 1
    assert traces("Piet Bakker", PIET["email"], PIET["phone"], "Lindelaan 17") == []
    piet.refresh_from_db()
    assert piet.stage == "applied" and piet.created_at  # the row and its figures stay
    assert Application.objects.count() == 2
    klaas.refresh_from_db()
    assert klaas.name == "Klaas Visser" and klaas.email == KLAAS["email"]
    log = PrivacyRequest.objects.get(action="erase")
    assert log.subject == privacy.ERASED and log.counts["application"] == 1


def test_erasure_needs_the_typed_confirmation(world, applicants):
    from django.core.exceptions import ValidationError

    admin = world.users[Role.CONSULTANCY_ADMIN]
    with pytest.raises(ValidationError):
        privacy_services.privacy_erase(
            actor=admin, organisation=world.client, subject=PIET["email"], confirm="ja"
        )
    assert Application.objects.filter(name="Piet Bakker").exists()


def test_erasing_a_member_keeps_the_figures(world, team):
    programme, member, categories = team
    User.objects.filter(pk=member.pk).update(name="Fatima El Amrani")
    member.refresh_from_db()
    now = timezone.now()
    rnd, _created = patrols.round_start(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        started_at=now - dt.timedelta(hours=2),
        walkers=[member],
    )
    patrols.round_end(actor=member, round_=rnd, ended_at=now - dt.timedelta(hours=1))
    patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Afval naast de container",
        reported_at=now - dt.timedelta(hours=1, minutes=30),
        round_=rnd,
    )
    patrols.conversation_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        topic=patrols_topic(),
        outcome=patrols_outcome(),
        reported_at=now - dt.timedelta(hours=1, minutes=20),
        round_=rnd,
    )
    from reporting.services.summary import summaries_rebuild

    summaries_rebuild()
    today = timezone.localdate()
    start, end = today.replace(day=1), today + dt.timedelta(days=1)
    before = dataclasses.asdict(period_figures(programmes=[programme], start=start, end=end))
    before.pop("as_of")  # when the summaries were made
    name, email = member.name, member.email
    admin = world.users[Role.CONSULTANCY_ADMIN]
    privacy_services.privacy_erase(
        actor=admin, organisation=world.client, subject=email, confirm=email
    )
    summaries_rebuild()
    after = dataclasses.asdict(period_figures(programmes=[programme], start=start, end=end))
    after.pop("as_of")
    assert after == before
    assert before["rounds"] and sum(before["rounds"]) == 1
    assert traces(email, name) == []
    member.refresh_from_db()
    assert not member.is_active and member.name == privacy.ERASED


def patrols_topic():
    from patrols.models import Conversation

    return Conversation.Topic.values[0]


def patrols_outcome():
    from patrols.models import Conversation

    return Conversation.Outcome.values[0]


# Retention ----------------------------------------------------------------------------------


def test_retention_deletes_old_applications_and_keeps_selected_ones(world, applicants):
    piet, klaas = applicants
    Application.objects.filter(pk=klaas.pk).update(stage="selected")
    later = timezone.now() + dt.timedelta(days=400)
    run = privacy.retention_run(now=later)
    assert run.counts["applications"] >= 1
    assert not Application.objects.filter(pk=piet.pk).exists()
    assert Application.objects.filter(pk=klaas.pk).exists()
    assert RetentionRun.objects.count() == 1 and run.finished_at


def test_a_client_term_within_bounds_changes_when_applications_go(world, applicants):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    rule = privacy.retention_rule("applications")
    privacy_services.retention_terms_set(
        actor=admin, organisation=world.client, terms={"applications": rule.minimum}
    )
    assert RetentionSetting.objects.get(organisation=world.client).days == rule.minimum
    privacy.retention_run(now=timezone.now() + dt.timedelta(days=rule.minimum + 1))
    assert Application.objects.count() == 0
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        privacy_services.retention_terms_set(
            actor=admin, organisation=world.client, terms={"applications": 1}
        )


def test_retention_empties_survey_contacts_and_keeps_the_response(world, team):
    from recruitment.models import Survey

    programme = team[0]
    survey = Survey.objects.create(organisation=world.client, programme=programme, title="Buurt")
    response = SurveyResponse.objects.create(
        organisation=world.client,
        survey=survey,
        channel="online",
        street="Lindelaan",
        contact_name="Anna de Wit",
        contact_email="anna@example.org",
        contact_phone="0611112222",
        created_at=timezone.now() - dt.timedelta(days=400),
    )
    run = privacy.retention_run()
    response.refresh_from_db()
    assert (response.contact_name, response.contact_email, response.contact_phone) == ("", "", "")
    assert response.street == "Lindelaan" and run.counts["survey_contacts"] == 1


def test_retention_empties_old_signals_text_and_keeps_the_figures(world, team):
    programme, member, categories = team
    signal = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Meneer op nummer 5 klaagt",
        reported_at=timezone.now() - dt.timedelta(days=500),
        street="Lindelaan",
        house_number="5",
    )[0]
    type(signal).objects.filter(pk=signal.pk).update(
        status="resolved", closed_at=timezone.now() - dt.timedelta(days=400)
    )
    run = privacy.retention_run()
    signal.refresh_from_db()
    assert signal.description == "" and signal.house_number == ""
    assert signal.street == "Lindelaan" and signal.category_id == categories[0].pk
    assert run.counts["signal_texts"] >= 1


def test_retention_empties_old_mail_deletes_login_codes_and_old_audit(world, team):
    old = timezone.now() - dt.timedelta(days=800)
    common = {"organisation": world.client, "to_email": "x@example.org", "subject": "Hoi"}
    body = OutboxMessage.objects.create(
        **common, template="email/x", body_text="Beste Anna", status="sent", created_at=old
    )
    code = OutboxMessage.objects.create(
        **common,
        template="account/email/login_code",
        body_text="Je code is ABC123",
        status="sent",
        created_at=timezone.now() - dt.timedelta(days=2),
    )
    fresh = OutboxMessage.objects.create(
        **common, template="email/x", body_text="Nieuw", status="sent"
    )
    AuditEntry.objects.filter(organisation=world.client).update(created_at=old)
    entries = AuditEntry.objects.filter(organisation=world.client).count()
    run = privacy.retention_run()
    body.refresh_from_db()
    fresh.refresh_from_db()
    assert body.body_text == "" and body.subject == "Hoi"
    assert fresh.body_text == "Nieuw"
    assert not OutboxMessage.objects.filter(pk=code.pk).exists()
    assert run.counts["audit_entries"] == entries > 0
    assert run.counts["login_code_mails"] == 1


def test_a_member_who_left_long_ago_is_anonymised(world, team):
    from programmes.models import TeamMember

    programme, member, _categories = team
    TeamMember.objects.filter(user=member).update(
        state="left", left_at=timezone.now() - dt.timedelta(days=400)
    )
    run = privacy.retention_run()
    member.refresh_from_db()
    assert member.name == privacy.ERASED and not member.is_active
    assert TeamMember.objects.filter(user=member).exists()
    assert run.counts["left_members"] == 1


# Requests from the app and the admin's pages ----------------------------------------------


def test_an_erasure_request_waits_for_the_admin_who_is_notified(
    world, other_world, team, django_capture_on_commit_callbacks
):
    from programmes.models import Notification

    member = team[1]
    with django_capture_on_commit_callbacks(execute=True):
        privacy_services.erasure_request_create(
            user=member, organisation=world.client, email=member.email
        )
    privacy_services.erasure_request_create(
        user=member, organisation=world.client, email=member.email
    )
    assert PrivacyRequest.objects.filter(status="pending").count() == 1
    admin = world.users[Role.CONSULTANCY_ADMIN]
    assert Notification.objects.filter(recipient=admin, kind="privacy.erasure_requested").exists()
    stranger = other_world.users[Role.CONSULTANCY_ADMIN]
    assert not Notification.objects.filter(recipient=stranger).exists()


def test_admin_finds_exports_and_erases_through_the_pages(world, applicants, login):
    client = login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("privacy"))
    assert page.status_code == 200 and b"Lindelaan" not in page.content
    person = client.get(reverse("privacy_person"), {"org": world.client.slug, "q": PIET["email"]})
    assert person.status_code == 200 and "Piet Bakker" in person.content.decode()
    data = {"org": world.client.slug, "q": PIET["email"]}
    export = client.post(reverse("privacy_person"), {**data, "action": "export"})
    assert export["Content-Type"] == "application/zip"
    wrong = client.post(reverse("privacy_person"), {**data, "action": "erase", "confirm": "x"})
    assert wrong.status_code == 302 and Application.objects.filter(name="Piet Bakker").exists()
    done = client.post(
        reverse("privacy_person"), {**data, "action": "erase", "confirm": PIET["email"]}
    )
    assert done.status_code == 302
    assert not Application.objects.filter(name="Piet Bakker").exists()


def test_another_consultancys_client_is_not_searched(world, other_world, login):
    client = login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("privacy_person"), {"org": other_world.client.slug, "q": "abc@x.nl"})
    assert page.status_code in (200, 404)
    assert other_world.client.name not in page.content.decode()


def test_users_of_other_roles_are_refused(world, login):
    for role in (Role.PROJECT_LEADER, Role.CLIENT_STAFF, Role.TEAM_MEMBER):
        assert login(world.users[role]).get(reverse("privacy")).status_code == 403


def test_traces_helper_finds_a_mention(world):
    assert traces(world.users[Role.CONSULTANCY_ADMIN].email)
    assert User.objects.count() > 0


def test_a_member_downloads_their_data_and_asks_for_erasure_from_the_app(world, team, login):
    member = team[1]
    client = login(member)
    page = client.get(reverse("my_data"))
    assert page.status_code == 200
    download = client.post(reverse("my_data"), {"action": "download"})
    assert download["Content-Type"] == "application/zip"
    payload = json.loads(zipfile.ZipFile(io.BytesIO(download.content)).read("gegevens.json"))
    assert payload["records"]["account"][0]["email"] == member.email
    client.post(reverse("my_data"), {"action": "erase"})
    waiting = PrivacyRequest.objects.get(status="pending")
    assert waiting.subject == member.email and waiting.requested_by == member
    assert "Ask to erase" not in client.get(reverse("my_data")).content.decode()
    # The admin handles it: the request is marked handled and names nobody any more.
    admin = world.users[Role.CONSULTANCY_ADMIN]
    privacy_services.privacy_erase(
        actor=admin, organisation=world.client, subject=member.email, confirm=member.email
    )
    waiting.refresh_from_db()
    assert waiting.status == "done" and waiting.subject == privacy.ERASED


def test_the_privacy_statements_show_on_the_application_form(world, team, client):
    from programmes.services import organisation_update

    programme = team[0]
    recruitment.campaign_save(actor=None, programme=programme, is_open=True)
    organisation_update(
        actor=None, organisation=world.client, privacy_statement_url="https://noord.example/p"
    )
    organisation_update(
        actor=None,
        organisation=world.consultancy,
        privacy_statement_url="https://advies.example/privacy",
    )
    page = client.get(f"/apply/{world.client.slug}/{programme.pk}/").content.decode()
    assert "https://noord.example/p" in page and "https://advies.example/privacy" in page


def test_the_beat_runs_retention_daily_and_the_task_logs_a_run(world):
    from django.conf import settings

    from programmes.privacy_tasks import privacy_retention_run

    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == privacy_retention_run.name
    privacy_retention_run()
    assert RetentionRun.objects.count() == 1


def test_the_admin_sets_a_clients_retention_terms_on_its_page(world, login, unscoped):
    client = login(world.users[Role.CONSULTANCY_ADMIN])
    detail = client.get(reverse("client_detail", kwargs={"org": world.client.slug}))
    url = reverse("retention_terms", kwargs={"org": world.client.slug})
    assert url in detail.content.decode()
    data = {rule.code: rule.default for rule in privacy.retention_rules()}
    too_short = client.post(url, {**data, "applications": 1})
    assert too_short.status_code == 200 and not RetentionSetting.objects.exists()
    client.post(url, {**data, "applications": 120})
    assert RetentionSetting.objects.get(organisation=world.client, rule="applications").days == 120
    assert 'value="120"' in client.get(url).content.decode()


def test_an_applicant_sees_downloads_and_asks_to_erase_through_the_mailed_link(world, team, client):
    import re

    programme = team[0]
    recruitment.campaign_save(actor=None, programme=programme, is_open=True)
    recruitment.application_submit(programme=programme, **PIET)
    recruitment.application_submit(programme=programme, **KLAAS)
    message = OutboxMessage.objects.filter(to_email=PIET["email"]).get()
    link = re.search(r"https?://\S+/my-application/\S+/", message.body_text).group(0)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path).content.decode()
    assert "Piet Bakker" in page and "Lindelaan 17" in page and "Klaas" not in page
    download = client.post(path, {"action": "download"})
    payload = json.loads(zipfile.ZipFile(io.BytesIO(download.content)).read("gegevens.json"))
    assert payload["records"]["application"][0]["name"] == "Piet Bakker"
    assert "Klaas" not in json.dumps(payload)
    client.post(path, {"action": "erase"})
    assert PrivacyRequest.objects.get(status="pending").subject == PIET["email"]
    # A tampered link shows its page, not someone's data.
    bad = client.get(path.rstrip("/") + "x/")
    assert bad.status_code == 200 and "Piet" not in bad.content.decode()


def _requests(world, n, start):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    PrivacyRequest.objects.bulk_create(
        PrivacyRequest(
            organisation=world.client if i % 2 else world.other_client,
            action="erase" if i % 3 else "export",
            status="pending" if i % 5 == 0 else "done",
            subject=f"persoon{start + i}@example.org",
            handled_by=None if i % 5 == 0 else admin,
        )
        for i in range(n)
    )


def test_the_privacy_page_runs_the_same_queries_at_10_and_at_1000_requests(world, login, unscoped):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.users[Role.CONSULTANCY_ADMIN])
    privacy.retention_run()
    counts = []
    for n, start in ((10, 0), (990, 10)):
        _requests(world, n, start)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("privacy"))
        assert page.status_code == 200
        counts.append(len(ctx))
        assert page.content.decode().count("@example.org") >= 10
    assert counts[0] == counts[1]


def test_a_resident_named_in_a_signal_is_found_and_erased_the_signal_stays(world, team):
    programme, member, categories = team
    signal = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Mevrouw Johanna Smits op nummer 5 heeft last van de hangjongeren",
        reported_at=timezone.now(),
    )[0]
    person = privacy.Person(organisation=world.client, name="Johanna Smits")
    found = dict(privacy.person_find(person))
    mentions = next(items for source, items in found.items() if source.code == "mentions")
    assert any("Johanna Smits" in item.data["excerpt"] for item in mentions)
    admin = world.users[Role.CONSULTANCY_ADMIN]
    privacy_services.privacy_erase(
        actor=admin, organisation=world.client, subject="Johanna Smits", confirm="johanna smits"
    )
    signal.refresh_from_db()
    assert "Johanna" not in signal.description and "hangjongeren" in signal.description
    assert traces("Johanna Smits") == []


def test_the_registration_page_links_the_privacy_statements(
    world, client, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    import re

    from programmes.services import invitation_create, organisation_update

    organisation_update(
        actor=None, organisation=world.client, privacy_statement_url="https://noord.example/p"
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="nieuw@example.org",
            name="Nieuw Lid",
            role=Role.CLIENT_STAFF,
        )
    path = re.search(r"/invitation/[\w-]+/[\w-]+/", mailoutbox[-1].body).group(0)
    page = client.get(path, follow=True).content.decode()
    assert "https://noord.example/p" in page


def test_a_run_cut_off_midway_shows_as_broken_off_not_running_forever(world, login, unscoped):
    """A worker or database gone mid-run leaves a run without its end: the page says it broke
    off (after an hour) and the next run removes what it left."""
    now = timezone.now()
    RetentionRun.objects.create(started_at=now - dt.timedelta(hours=3), counts={})
    RetentionRun.objects.create(started_at=now - dt.timedelta(minutes=5), counts={})
    finished = privacy.retention_run()
    assert finished.finished_at is not None
    client = login(world.users[Role.CONSULTANCY_ADMIN])
    html = client.get(reverse("privacy")).content.decode()
    assert html.count("Afgebroken") == 1 and html.count(">Bezig<") == 1
    assert "de volgende keer verwijdert wat is blijven staan" in html
