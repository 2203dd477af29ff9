"""Bad input is refused with a message, never a 500: the range of dates, deeply nested or
mistyped JSON, NUL bytes, unknown choices and stored files that have gone missing."""

import datetime as dt
import importlib
import inspect
import json
import uuid

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from programmes.fields import BoundedDatesMixin, BoundedModelMultipleChoiceField
from programmes.forms import MeetingForm, MilestoneForm
from programmes.input import json_id, parse_moment, read_json, validate_date_range
from programmes.models import Document
from programmes.permissions import Role

EXTREMES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1999-12-31T23:00",
    "2101-01-01T00:00",
]


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", EXTREMES)
def test_meeting_form_refuses_dates_outside_the_range_in_dutch(value):
    data = {"kind": "team", "title": "Overleg", "location": "Buurthuis", "confirm_past": "on"}
    form = MeetingForm(data={**data, "starts_at": value, "ends_at": "2030-01-01T10:00"})
    with translation.override("nl"):
        assert not form.is_valid()
        assert form.errors["starts_at"] == ["Kies een datum tussen 2000 en 2100."]


@pytest.mark.django_db
def test_date_fields_accept_the_edges_and_tell_the_picker():
    form = MeetingForm(
        data={
            "kind": "team",
            "title": "Overleg",
            "location": "Buurthuis",
            "starts_at": "2100-12-31T20:00",
            "ends_at": "2100-12-31T21:00",
        }
    )
    assert form.is_valid(), form.errors
    html = str(form["starts_at"])
    assert 'min="2000-01-01T00:00"' in html and 'max="2100-12-31T23:59"' in html


def test_milestone_due_date_in_year_9999_is_refused(programme):
    form = MilestoneForm(
        data={"phase": "start", "title": "Start", "due_date": "9999-12-31"}, programme=programme
    )
    assert not form.is_valid()
    assert "due_date" in form.errors


def _our_form_classes():
    modules = [
        "programmes.forms",
        "patrols.forms",
        "recruitment.forms",
        "trainings.forms",
        "trainings.views",
    ]
    for name in modules:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def test_every_form_with_a_date_field_bounds_its_dates():
    """A new form with a date field that forgets the range fails here."""
    unbounded = [
        cls.__name__
        for cls in _our_form_classes()
        if any(
            isinstance(f, forms.DateField | forms.DateTimeField)
            for f in getattr(cls, "base_fields", {}).values()
        )
        and not issubclass(cls, BoundedDatesMixin)
    ]
    assert not unbounded, f"use programmes.fields.BoundedDatesMixin in {unbounded}"


@pytest.mark.parametrize("value", EXTREMES[:2] + ["0001-01-01", None, 5, ["2026-01-01"], "x" * 99])
def test_json_moments_outside_the_range_or_of_the_wrong_type_are_refused(value):
    with pytest.raises(ValidationError):
        parse_moment(value)


def test_json_moment_within_the_range_is_aware():
    moment = parse_moment("2026-05-01T10:00:00")
    assert timezone.is_aware(moment) and moment.year == 2026
    validate_date_range(dt.date(2000, 1, 1))
    validate_date_range(dt.date(2100, 12, 31))


def test_effort_month_outside_the_range_shows_this_month(client, world, programme):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:programme_effort", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    for month in ("0001-01", "9999-12", "2026-13", "x"):
        response = client.get(url, {"month": month})
        assert response.status_code == 200
        assert response.context["month"] == timezone.localdate().replace(day=1)


# --- JSON ----------------------------------------------------------------------------------


def _json_request(body: bytes):
    return RequestFactory().post("/", data=body, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"a":' * 50 + b"1" + b"}" * 50,
        b"[]",
        b'"text"',
        b"{",
        b"\xff\xfe",
        b'{"note": "a\\u0000b"}',
        b'{"x": "' + b"y" * 300_000 + b'"}',
    ],
)
def test_json_reader_refuses_deep_wrong_or_nul_bodies(body):
    from programmes.input import BadJson

    with pytest.raises(BadJson):
        read_json(_json_request(body))


def test_json_reader_counts_brackets_inside_strings_as_text():
    data = read_json(_json_request(json.dumps({"note": "[[[[" * 100, "n": [1, {"a": 2}]}).encode()))
    assert data["n"] == [1, {"a": 2}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), ("12", 12), (0, None), (-1, None), (True, None), (2**70, None), (1.5, None)]
    + [([1], None), ("1e3", None), ("١٢", None), (None, None)],
)
def test_json_id(value, expected):
    assert json_id(value) == expected


def _signal_body(team, **extra):
    programme, _, categories = team
    return {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "category": categories[0].pk,
        "description": "Grofvuil",
        "street": "Lindelaan",
        "reported_at": timezone.now().isoformat(),
        **extra,
    }


def _post_json(client, world, name, body: str):
    url = reverse(name, kwargs={"org": world.client.slug})
    return client.post(url, data=body, content_type="application/json")


def test_phone_api_refuses_a_form_post_with_400(client, world, team):
    client.force_login(team[1])
    response = client.post(
        reverse("patrols:api_signal", kwargs={"org": world.client.slug}), {"a": "1"}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["Het verzoek kon niet gelezen worden."]


def test_phone_api_refuses_deep_json_with_400(client, world, team):
    client.force_login(team[1])
    response = _post_json(client, world, "patrols:api_signal", "[" * 10_000 + "]" * 10_000)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["Het verzoek kon niet gelezen worden."]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reported_at", "0001-01-01T00:00:00+14:00"),
        ("reported_at", "9999-12-31T23:59:59-12:00"),
        ("programme", 2**70),
        ("programme", [1]),
        ("category", "12abc"),
        ("category", {"id": 1}),
        ("description", "a\x00b"),
        ("description", ["lijst"]),
    ],
)
def test_phone_api_wrong_values_are_400_with_a_message(client, world, team, field, value):
    client.force_login(team[1])
    response = _post_json(
        client, world, "patrols:api_signal", json.dumps(_signal_body(team, **{field: value}))
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]


def test_phone_api_date_range_message_is_dutch(client, world, team):
    client.force_login(team[1])
    body = _signal_body(team, reported_at="0001-01-01T00:00:00+14:00")
    response = _post_json(client, world, "patrols:api_signal", json.dumps(body))
    assert response.json()["errors"]["reported_at"] == ["Kies een datum tussen 2000 en 2100."]


def test_phone_api_unknown_choice_is_400(client, world, team):
    client.force_login(team[1])
    body = {
        "id": str(uuid.uuid4()),
        "programme": team[0].pk,
        "topic": "bogus",
        "outcome": "bogus",
        "reported_at": timezone.now().isoformat(),
    }
    response = _post_json(client, world, "patrols:api_conversation", json.dumps(body))
    assert response.status_code == 400
    assert "topic" in response.json()["errors"]


# --- NUL bytes and unknown choices in forms and filters --------------------------------------


def test_nul_byte_in_a_posted_field_is_refused(client, world, programme, unscoped):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    response = client.post(url, {"action": "rules", "text": "Regel\x00een"})
    assert response.status_code == 400
    from trainings.models import TeamRules

    assert not TeamRules.objects.filter(text__contains="Regel").exists()


def test_nul_byte_in_a_query_is_taken_out_and_in_a_path_refused(client, world):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    response = client.get(reverse("client_list"), {"q": "Gemeente\x00 noord"})
    assert response.status_code == 200
    assert response.wsgi_request.GET["q"] == "Gemeente noord"
    assert world.client.name in response.content.decode()
    verify = reverse(
        "trainings:certificate_verify", kwargs={"org": world.client.slug, "code": "AB\x00CD"}
    )
    assert client.get(verify).status_code == 400


def test_an_id_in_the_address_beyond_any_database_id_is_404(client, world, programme):
    client.force_login(world.users[Role.PROJECT_LEADER])
    for pk in (10**20, 2**63):
        url = reverse("programme_detail", kwargs={"org": world.client.slug, "programme_pk": pk})
        assert client.get(url).status_code == 404
    url = reverse(
        "programme_detail", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    assert client.get(url).status_code == 200


def test_plain_text_is_not_refused(client, world):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    assert client.get(reverse("client_list"), {"q": "Noord é [1]"}).status_code == 200


def test_unknown_filter_value_is_ignored_with_the_message_on_the_form(client, world, team):
    """GET filters: an unknown choice does not filter and the filter form says why (200)."""
    from tests.builders import report_signal

    report_signal(team, description="Matras")
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = reverse("patrols:portal_signals", kwargs={"org": world.client.slug})
    response = client.get(url, {"status": "bogus", "start": "0001-01-01", "urgent": "1"})
    assert response.status_code == 200
    form = response.context["filters"]
    assert "status" in form.errors and "start" in form.errors
    assert "Kies een datum tussen 2000 en 2100." in response.content.decode()
    # The valid filter still applies: the one signal is not urgent.
    assert not response.context["page"].object_list


def test_unknown_survey_status_is_a_message_not_a_crash(client, world, programme):
    from recruitment import services as recruitment

    survey = recruitment.survey_create(
        actor=world.users[Role.PROJECT_LEADER], programme=programme, title="Buurt"
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "recruitment:survey_edit",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "survey_pk": survey.pk},
    )
    response = client.post(url, {"status": "bogus"}, follow=True)
    assert response.status_code == 200
    assert "concept naar open" in response.content.decode()


# --- stored files --------------------------------------------------------------------------


def test_missing_document_file_is_404(client, world, programme, unscoped):
    document = Document.objects.create(
        organisation=world.client,
        programme=programme,
        kind="plan",
        status=Document.Status.READY,
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.7 test"))
    url = reverse(
        "document_download",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "document_pk": document.pk},
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    assert client.get(url).status_code == 200
    document.file.storage.delete(document.file.name)
    assert client.get(url).status_code == 404


def test_missing_signal_photo_is_404(client, world, team, django_capture_on_commit_callbacks):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from patrols import services as patrols
    from tests.builders import report_signal

    signal = report_signal(team, description="Matras")
    jpeg = io.BytesIO()
    Image.new("RGB", (20, 20), "#336699").save(jpeg, format="JPEG")
    with django_capture_on_commit_callbacks(execute=True):  # the photo's re-encoding
        photo, _ = patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("p.jpg", jpeg.getvalue(), content_type="image/jpeg"),
        )
    photo.refresh_from_db()
    photo.image.storage.delete(photo.image.name)
    kwargs = {"org": world.client.slug, "signal_pk": signal.pk, "photo_pk": photo.pk}
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(reverse("patrols:portal_signal_photo", kwargs=kwargs)).status_code == 404
    client.force_login(team[1])
    assert client.get(reverse("patrols:team_signal_photo", kwargs=kwargs)).status_code == 404


def test_clearing_a_logo_removes_it(client, world, unscoped):
    from programmes.demo import _logo_png

    world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#123456")))
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse("client_update", kwargs={"org": world.client.slug})
    page = client.get(url)
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "logo"}
    response = client.post(url, {**data, "logo-clear": "on"})
    assert response.status_code == 302, response.context["form"].errors
    world.client.refresh_from_db()
    assert not world.client.logo


# --- ids in forms --------------------------------------------------------------------------


def test_every_form_with_a_multiple_choice_of_rows_bounds_its_ids():
    """A new form that chooses several rows with Django's own field fails here: it lets an id
    beyond any database id reach the driver, which raises instead of refusing."""
    unbounded = [
        f"{cls.__name__}.{name}"
        for cls in _our_form_classes()
        for name, f in getattr(cls, "base_fields", {}).items()
        if isinstance(f, forms.ModelMultipleChoiceField)
        and not isinstance(f, BoundedModelMultipleChoiceField)
    ]
    assert not unbounded, f"use programmes.fields.BoundedModelMultipleChoiceField: {unbounded}"


def test_a_chosen_id_beyond_any_database_id_is_an_invalid_choice_not_a_500(client, world):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse("programme_create", kwargs={"org": world.client.slug})
    leader = world.users[Role.PROJECT_LEADER]
    data = {
        "name": "Team Oost",
        "neighbourhood": "Oost",
        "municipality": "Stad",
        "start_date": "2026-09-07",
        "project_leaders": [str(leader.pk), "99999999999999999999"],
    }
    with translation.override("nl"):
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert "99999999999999999999" in response.content.decode()
    assert "geldige keuze" in response.content.decode()
    response = client.post(url, {**data, "project_leaders": [str(leader.pk)]})
    assert response.status_code == 302
