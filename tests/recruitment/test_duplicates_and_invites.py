"""A resident who applies twice: marked on the selection page (found in SQL) and merged by
the project leader; "invite all applicants" invites each person once and says who it skipped."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes import services as base
from programmes.models import AuditEntry, Invitee, OutboxMessage
from programmes.permissions import Role
from recruitment import selectors, services
from recruitment.models import Application, Survey, SurveyResponse
from recruitment.workflow import Stage


@pytest.fixture
def programme(team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


@pytest.fixture
def pl(world):
    return world.users[Role.PROJECT_LEADER]


def _apply(programme, **fields):
    data = {
        "name": "Fatma Yilmaz",
        "email": "fatma@example.org",
        "street": "Lindelaan",
        "house_number": "7",
        "postcode": "3031 AB",
        "motivation": "Ik wil meedoen.",
    }
    data.update(fields)
    return services.application_submit(programme=programme, consent="ja", **data)


def _meeting(programme, pl, **fields):
    start = timezone.now() + dt.timedelta(days=7)
    return base.meeting_create(
        actor=pl,
        programme=programme,
        kind="information",
        title="Informatieavond",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
        **fields,
    )


def _selection_url(world, programme):
    return reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def _dups(programme):
    found = selectors.duplicates_of(
        programme=programme,
        applications=selectors.applications_for_selection(programme=programme),
    )
    return {pk: tuple(twin.pk if twin else None for twin in pair) for pk, pair in found.items()}


# --- Duplicates ---------------------------------------------------------------------------


def test_same_email_any_case_is_a_duplicate(programme):
    first = _apply(programme)
    second = _apply(programme, name="F. Yilmaz", email="Fatma@Example.ORG", house_number="9")
    other = _apply(programme, name="Piet", email="piet@example.org", house_number="1")
    dups = _dups(programme)
    assert dups[first.pk] == (second.pk, None) and dups[second.pk] == (first.pk, None)
    assert dups[other.pk] == (None, None)


def test_same_name_and_address_normalised_is_a_duplicate(programme):
    first = _apply(programme)
    second = _apply(programme, name="  fatma  YILMAZ ", email="fy@example.org", house_number=" 7 ")
    Application.objects.filter(pk=second.pk).update(postcode="3031ab")
    neighbour = _apply(programme, email="f2@example.org", house_number="8")
    dups = _dups(programme)
    assert dups[first.pk] == (None, second.pk) and dups[second.pk] == (None, first.pk)
    assert dups[neighbour.pk] == (None, None)


def test_no_duplicates_across_programmes_or_after_a_merge(world, programme, pl):
    other_programme = base.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.campaign_save(actor=None, programme=other_programme, is_open=True)
    first = _apply(programme)
    _apply(other_programme)
    assert _dups(programme)[first.pk] == (None, None)
    second = _apply(programme, email="FATMA@example.org")
    services.applications_merge(actor=pl, keep=first, other=second)
    assert _dups(programme) == {first.pk: (None, None)}


def test_selection_page_marks_duplicates_in_a_fixed_number_of_queries(
    client, world, programme, pl, django_assert_max_num_queries
):
    client.force_login(pl)
    url = _selection_url(world, programme)
    _apply(programme)
    _apply(programme, email="FATMA@example.org")
    page = client.get(url).content.decode()
    assert page.count("Mogelijk dubbel") == 2
    assert "Zelfde e-mailadres als Fatma Yilmaz" in page
    assert "Samenvoegen met de aanmelding van Fatma Yilmaz" in page
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(15):
        _apply(programme, name=f"Bewoner {i}", email=f"b{i}@example.org", house_number=str(i))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Merging ------------------------------------------------------------------------------


def test_merge_carries_over_what_the_other_has(programme, pl):
    first = _apply(programme, phone="", availability="")
    services.application_move(actor=pl, application=first, stage=Stage.INVITED, note="Eerste")
    second = _apply(
        programme,
        email="FATMA@example.org",
        phone="06 12345678",
        motivation="Ik wil ook de speeltuin schoon houden.",
        availability="Zaterdag",
    )
    Application.objects.filter(pk=second.pk).update(
        consent_at=timezone.now() + dt.timedelta(minutes=5),
        consent_text="Nieuwere toestemming",
        keep_until=first.keep_until + dt.timedelta(days=30),
    )
    survey = Survey.objects.create(
        organisation=programme.organisation, programme=programme, title="Buurtonderzoek"
    )
    response = SurveyResponse.objects.create(
        organisation=programme.organisation, survey=survey, channel="online", application=second
    )
    keep = services.applications_merge(actor=pl, keep=first, other=second)
    keep.refresh_from_db()
    second.refresh_from_db()
    response.refresh_from_db()
    assert keep.pk == first.pk and keep.stage == Stage.INVITED
    assert keep.phone == "06 12345678" and keep.availability == "Zaterdag"
    assert "Ik wil meedoen." in keep.motivation and "speeltuin" in keep.motivation
    assert keep.consent_text == "Nieuwere toestemming"
    assert keep.keep_until == first.keep_until + dt.timedelta(days=30)
    assert response.application_id == keep.pk
    assert second.merged_into_id == keep.pk and second.merged_at
    notes = [e.note for e in keep.events.all()]
    assert "Eerste" in notes and any("Samengevoegd met de aanmelding" in n for n in notes)
    assert second.events.count() == 0
    entry = AuditEntry.objects.get(action="application.merged")
    assert entry.data["merged"] == second.pk


def test_merge_takes_the_furthest_stage_and_refuses_decided_ones(programme, pl):
    first = _apply(programme)
    second = _apply(programme, email="fatma@EXAMPLE.org")
    services.application_move(actor=pl, application=second, stage=Stage.INTERVIEW)
    keep = services.applications_merge(actor=pl, keep=first, other=second)
    assert keep.stage == Stage.INTERVIEW
    third = _apply(programme, email="fatma@example.org")
    services.application_move(
        actor=pl, application=keep, stage=Stage.PROPOSED, advice="Goede kandidaat"
    )
    with pytest.raises(ValidationError, match="voorgesteld"):
        services.applications_merge(actor=pl, keep=third, other=keep)
    with pytest.raises(ValidationError, match="al samengevoegd"):
        services.applications_merge(actor=pl, keep=third, other=second)
    with pytest.raises(ValidationError):
        services.applications_merge(actor=pl, keep=third, other=third)


def test_project_leader_merges_on_the_selection_page(client, world, programme, pl):
    first = _apply(programme)
    second = _apply(programme, email="FATMA@example.org", phone="0612")
    client.force_login(pl)
    url = _selection_url(world, programme)
    response = client.post(
        url, {"merge_pair": f"{second.pk}-{first.pk}", "merge_keep": first.pk}, follow=True
    )
    page = response.content.decode()
    assert "De twee aanmeldingen van Fatma Yilmaz zijn samengevoegd tot één." in page
    assert "Mogelijk dubbel" not in page
    assert Application.objects.filter(merged_into=first).get() == second
    # Tampered or stale forms: a 404 or a clear message, never a 500.
    assert client.post(url, {"merge_pair": "x-y", "merge_keep": "1"}).status_code == 404
    again = client.post(
        url, {"merge_pair": f"{second.pk}-{first.pk}", "merge_keep": first.pk}, follow=True
    )
    assert "al samengevoegd" in again.content.decode()


def test_client_staff_cannot_merge(client, world, programme):
    first = _apply(programme)
    second = _apply(programme, email="FATMA@example.org")
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.post(
        _selection_url(world, programme),
        {"merge_pair": f"{second.pk}-{first.pk}", "merge_keep": first.pk},
    )
    assert response.status_code in (403, 404)
    assert not Application.objects.filter(merged_into__isnull=False).exists()


# --- Inviting all applicants --------------------------------------------------------------


def _invite(programme, pl, meeting):
    return services.applicants_invite(
        actor=pl,
        meeting=meeting,
        applications=Application.objects.filter(
            programme=programme, stage__in=[Stage.APPLIED, Stage.INVITED]
        ),
    )


def test_invite_skips_duplicate_emails_among_applicants(programme, pl):
    meeting = _meeting(programme, pl)
    _apply(programme)
    _apply(programme, email="Fatma@Example.org", name="Fatma Y.")
    _apply(programme, name="Piet", email="piet@example.org")
    result = _invite(programme, pl, meeting)
    assert (result.invited, result.same_email, result.already, result.no_email) == (2, 1, 0, 0)
    assert sorted(meeting.invitees.values_list("email", flat=True)) == [
        "fatma@example.org",
        "piet@example.org",
    ]
    assert set(Application.objects.values_list("stage", flat=True)) == {Stage.INVITED}
    assert services.invite_result_message(result) == (
        "2 aanmelders zijn uitgenodigd. Overgeslagen: 1 dubbele aanmelding met hetzelfde "
        "e-mailadres."
    )


def test_invite_twice_invites_nobody_twice(
    programme, pl, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = _meeting(programme, pl)
    _apply(programme)
    base.invitee_add(actor=pl, meeting=meeting, name="Piet", email="PIET@example.org")
    _apply(programme, name="Piet", email="piet@example.org")
    first = _invite(programme, pl, meeting)
    assert (first.invited, first.already) == (1, 1)
    second = _invite(programme, pl, meeting)  # the double click, after the first finished
    assert (second.invited, second.already) == (0, 2)
    assert meeting.invitees.count() == 2
    assert services.invite_result_message(second) == (
        "0 aanmelders zijn uitgenodigd. Overgeslagen: 2 hadden al een uitnodiging."
    )


def test_invite_survives_a_concurrent_invitation(programme, pl, monkeypatch):
    """Someone else invites the same person between our look and our write: skipped, no
    error, and the rest of the list is still invited."""
    meeting = _meeting(programme, pl)
    _apply(programme)
    _apply(programme, name="Piet", email="piet@example.org")
    original = base.invitee_add

    def racing(*, actor, meeting, name, email, **kwargs):
        if email == "fatma@example.org":
            Invitee.objects.create(
                organisation=meeting.organisation,
                meeting=meeting,
                name=name,
                email=email,
                token_hash="raced",
            )
        return original(actor=actor, meeting=meeting, name=name, email=email, **kwargs)

    monkeypatch.setattr("programmes.services.meetings.invitee_add", racing)
    result = _invite(programme, pl, meeting)
    assert (result.invited, result.already) == (1, 1)
    # (The simulated rival row rolls back with our savepoint; a real one would stay.)
    assert list(meeting.invitees.values_list("email", flat=True)) == ["piet@example.org"]


def test_invite_skips_applicants_without_email(programme, pl):
    meeting = _meeting(programme, pl)
    paper = _apply(programme, name="Op papier", email="papier@example.org")
    Application.objects.filter(pk=paper.pk).update(email="")
    _apply(programme)
    result = _invite(programme, pl, meeting)
    assert (result.invited, result.no_email) == (1, 1)
    assert services.invite_result_message(result) == (
        "1 aanmelder is uitgenodigd. Overgeslagen: 1 heeft geen e-mailadres."
    )


def test_invite_to_a_full_or_past_meeting_is_refused(programme, pl):
    full = _meeting(programme, pl, capacity=1)
    invitee = base.invitee_add(actor=pl, meeting=full, name="Ans", email="ans@example.org")
    base.meeting_reply(invitee=invitee, attending=True)
    _apply(programme)
    with pytest.raises(ValidationError, match="is vol"):
        _invite(programme, pl, full)
    past = _meeting(programme, pl)
    past.starts_at = timezone.now() - dt.timedelta(hours=1)
    past.save(update_fields=["starts_at"])
    with pytest.raises(ValidationError, match="al begonnen"):
        _invite(programme, pl, past)
    assert Application.objects.get().stage == Stage.APPLIED


def test_invite_on_the_page_says_what_happened_and_never_fails(
    client, world, programme, pl, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = _meeting(programme, pl)
    _apply(programme)
    _apply(programme, email="FATMA@example.org", name="Fatma Y.")
    client.force_login(pl)
    url = _selection_url(world, programme)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"invite_meeting": meeting.pk}, follow=True)
    assert first.status_code == 200
    assert "1 aanmelder is uitgenodigd." in first.content.decode()
    second = client.post(url, {"invite_meeting": meeting.pk}, follow=True)
    assert "0 aanmelders zijn uitgenodigd. Overgeslagen: 2 hadden al een uitnodiging." in (
        second.content.decode()
    )
    invitations = [
        m for m in mailoutbox if "Informatieavond" in m.subject or "Informatieavond" in m.body
    ]
    assert len(invitations) == 1
    assert OutboxMessage.objects.filter(template="programmes/meeting_invitation").count() == 1
    meeting.capacity = 0
    meeting.save(update_fields=["capacity"])
    full = client.post(url, {"invite_meeting": meeting.pk}, follow=True)
    assert full.status_code == 200 and "is vol" in full.content.decode()
    assert client.post(url, {"invite_meeting": "abc"}).status_code == 404
