"""Applications from residents and the selection with the client."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import Invitation, TeamMember
from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application
from recruitment.workflow import Stage


@pytest.fixture
def programme(team):
    programme = team[0]
    programme.postcode_areas = "3031, 3032"
    programme.save(update_fields=["postcode_areas"])
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


FORM = {
    "name": "Fatma Yilmaz",
    "email": "fatma@example.org",
    "phone": "06 12345678",
    "street": "Lindelaan",
    "house_number": "7",
    "postcode": "3031ab",
    "motivation": "Ik wil dat mijn straat schoon en gezellig blijft.",
    "availability": "Zaterdagochtend",
    "consent": "on",
    "website": "",
}


def _apply_url(world, programme):
    return reverse(
        "recruitment:apply", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )


def test_resident_applies_with_consent(
    client, world, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_apply_url(world, programme), FORM)
    assert (
        response.status_code == 200
        and "Dank je wel voor je aanmelding!" in response.content.decode()
    )
    application = Application.objects.get()
    assert application.postcode == "3031 AB" and application.stage == Stage.APPLIED
    assert "voor de selectie van de leden van Team Noord" in application.consent_text
    assert abs((application.consent_at - timezone.now()).total_seconds()) < 60
    assert application.keep_until > timezone.localdate() + dt.timedelta(days=360)
    assert len(mailoutbox) == 1 and application.consent_text in mailoutbox[0].body


def test_bad_input_keeps_what_was_typed(client, world, programme):
    response = client.post(
        _apply_url(world, programme),
        {**FORM, "email": "fatma", "postcode": "9999 ZZ", "consent": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in." in page
    assert "Dit team is voor bewoners van de wijk (postcode 3031, 3032)." in page
    assert "Zonder je toestemming kunnen we je aanmelding niet behandelen." in page
    assert 'value="Fatma Yilmaz"' in page and "mijn straat schoon" in page
    assert not Application.objects.exists()


def test_honeypot_stores_nothing(client, world, programme):
    response = client.post(_apply_url(world, programme), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200 and not Application.objects.exists()


def test_rate_limit(client, world, programme):
    statuses = [
        client.post(
            _apply_url(world, programme), {**FORM, "email": f"f{i}@example.org"}
        ).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429
    assert Application.objects.count() == 5


def test_closed_page(client, world, programme):
    services.campaign_save(actor=None, programme=programme, is_open=False)
    page = client.get(_apply_url(world, programme)).content.decode()
    assert "op dit moment gesloten" in page
    client.post(_apply_url(world, programme), FORM)
    assert not Application.objects.exists()


def _application(programme):
    return services.application_submit(
        programme=programme,
        consent="ja",
        name="Piet",
        email="piet@example.org",
        street="Laan",
        house_number="1",
        postcode="3031 AB",
        motivation="Graag",
    )


def test_selection_moves_allowed_and_refused(world, programme):
    pl = world.users[Role.PROJECT_LEADER]
    application = _application(programme)
    with pytest.raises(ValidationError):
        services.application_move(actor=pl, application=application, stage=Stage.SELECTED)
    services.application_move(actor=pl, application=application, stage=Stage.INVITED)
    services.application_move(
        actor=pl, application=application, stage=Stage.INTERVIEW, note="Goed gesprek"
    )
    with pytest.raises(ValidationError):
        services.application_move(
            actor=pl, application=application, stage=Stage.PROPOSED
        )  # no advice
    services.application_move(
        actor=pl, application=application, stage=Stage.PROPOSED, advice="Aanrader"
    )
    application.refresh_from_db()
    assert application.advice == "Aanrader"
    assert [e.to_stage for e in application.events.all()] == [
        "applied",
        "invited",
        "interview",
        "proposed",
    ]
    with pytest.raises(ValidationError):
        services.application_decide(
            actor=world.users[Role.CLIENT_STAFF], application=application, approve=True, reason=""
        )


def test_client_approves_and_applicant_joins_the_team(
    client, world, programme, mailoutbox, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    application = _application(programme)
    for stage in (Stage.INVITED, Stage.INTERVIEW):
        services.application_move(actor=pl, application=application, stage=stage)
    services.application_move(
        actor=pl, application=application, stage=Stage.PROPOSED, advice="Aanrader"
    )
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    page = client.get(url).content.decode()
    assert (
        "Piet" in page and "Aanrader" in page and "piet@example.org" not in page
    )  # only what is shared
    prefix = f"a{application.pk}"
    bad = client.post(
        url,
        {"application": application.pk, f"{prefix}-decision": "approve", f"{prefix}-reason": ""},
    )
    assert "Dit veld is verplicht." in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            url,
            {
                "application": application.pk,
                f"{prefix}-decision": "approve",
                f"{prefix}-reason": "Past goed",
                "confirm": "1",
            },
        )
    assert ok.status_code == 302
    application.refresh_from_db()
    assert application.stage == Stage.SELECTED and application.client_reason == "Past goed"
    invitation = Invitation.objects.get(email="piet@example.org")
    assert invitation.programme == programme and invitation.role == Role.TEAM_MEMBER
    client.logout()
    link = re.search(r"/invitation/\S+/", mailoutbox[-1].body).group(0)
    client.post(
        link, {"name": "Piet", "password1": "Buurt-Team-2026!", "password2": "Buurt-Team-2026!"}
    )
    assert TeamMember.objects.filter(programme=programme, user__email="piet@example.org").exists()


def test_client_declines_with_a_kind_mail(
    world, programme, mailoutbox, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    application = _application(programme)
    services.application_move(actor=pl, application=application, stage=Stage.INTERVIEW)
    services.application_move(
        actor=pl, application=application, stage=Stage.PROPOSED, advice="Twijfel"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(
            actor=world.users[Role.CLIENT_STAFF],
            application=application,
            approve=False,
            reason="Woont buiten de wijk",
        )
    assert "niet geselecteerd" in mailoutbox[-1].body
    assert not Invitation.objects.filter(email="piet@example.org").exists()


def test_client_decides_only_for_own_programmes(client, world, other_world, programme):
    application = _application(programme)
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    url = reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"application": application.pk}).status_code == 404


def test_retention_deletes_expired_applications(world, programme):
    old = _application(programme)
    Application.objects.filter(pk=old.pk).update(
        keep_until=timezone.localdate() - dt.timedelta(days=1)
    )
    fresh = _application(programme)
    from recruitment.tasks import applications_delete_expired

    assert applications_delete_expired() >= 1
    assert not Application.objects.filter(pk=old.pk).exists()
    assert Application.objects.filter(pk=fresh.pk).exists()


def test_selection_page(client, world, programme):
    client.force_login(world.users[Role.PROJECT_LEADER])
    application = _application(programme)
    url = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    page = client.get(url).content.decode()
    assert "Piet" in page and "Volgende stap voor Piet" in page
    client.post(
        url, {"application": application.pk, "stage": "interview", "note": "", "advice": ""}
    )
    application.refresh_from_db()
    assert application.stage == Stage.INTERVIEW
    refused = client.post(
        url, {"application": application.pk, "stage": "proposed", "advice": ""}, follow=True
    )
    assert "Geef de opdrachtgever je advies" in refused.content.decode()
    # The application page's settings have their own page, linked from the selection.
    settings_url = reverse(
        "recruitment:campaign_settings",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    assert settings_url in page
    client.post(
        settings_url,
        {
            "campaign": "1",
            "is_open": "",
            "intro": "Doe mee!",
            "headline": "Doe mee",
            "material_text": "Tekst",
            "retention_months": 6,
        },
    )
    from recruitment.models import Campaign

    campaign = Campaign.objects.get(programme=programme)
    assert not campaign.is_open and campaign.retention_months == 6


def test_the_settings_page_keeps_bad_input_and_shows_what_was_saved(
    client, world, other_world, programme
):
    """The application page's settings: bad input is answered in Dutch on the same page with
    what was typed kept and nothing saved; a save shows its values when the page is opened
    again; another consultancy gets a 404."""
    from recruitment.models import Campaign

    url = reverse(
        "recruitment:campaign_settings",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    typed = {
        "campaign": "1",
        "is_open": "on",
        "intro": "Doe mee <b>met</b> ons!",
        "headline": "",
        "material_text": "Tekst voor de flyer",
        "retention_months": "abc",
    }
    refused = client.post(url, typed)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Dit veld is verplicht." in html and "Voer een geheel getal in." in html
    assert "Doe mee &lt;b&gt;met&lt;/b&gt; ons!" in html and "Tekst voor de flyer" in html
    assert not Campaign.objects.filter(programme=programme, intro=typed["intro"]).exists()
    saved = client.post(url, {**typed, "headline": "Word buurtteamlid", "retention_months": "9"})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert 'value="Word buurtteamlid"' in page and 'value="9"' in page
    assert "Doe mee &lt;b&gt;met&lt;/b&gt; ons!" in page and "checked" in page
    campaign = Campaign.objects.get(programme=programme)
    assert campaign.is_open and campaign.retention_months == 9
    client.force_login(other_world.users[Role.CONSULTANCY_ADMIN])
    assert client.get(url).status_code == 404
    assert client.post(url, typed).status_code == 404
