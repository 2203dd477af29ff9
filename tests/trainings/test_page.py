"""The project leader's trainings page shows everything saved on it: each form saves,
redirects back and shows the saved value when the page is opened again; readiness for
rounds always comes with its reason; the page's number of queries does not grow with the
team."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes import services as base
from programmes.models import Document, Invitee, TeamMember
from programmes.permissions import Role
from programmes.readiness import readiness_reasons
from trainings import services
from trainings.models import Gear, StreetAssignment

from ..factories import UserFactory


@pytest.fixture
def track_page(client, world, team):
    """(url, logged-in client) of the trainings page for the project leader."""
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": team[0].pk},
    )
    return url, client


def _save(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    return client.get(url).content.decode()


def _reason(roster):
    """The roster line through the base, as other apps read it."""
    return readiness_reasons(programme=roster.programme, members=[roster])[roster.user_id]


def _attend_all(track, user):
    for kind in ("introduction", "instruction"):
        invitee = Invitee.objects.get(meeting=track[kind].meeting, user=user)
        base.invitee_set_attended(actor=None, invitee=invitee, attended=True)


def test_rules_saved_and_shown(track_page, team):
    url, client = track_page
    assert "Dit is de standaardtekst" in client.get(url).content.decode()
    html = _save(client, url, {"action": "rules", "text": "Loop altijd met z'n tweeën."})
    assert "Loop altijd met z&#x27;n tweeën." in html and "Opgeslagen op" in html


def test_contact_lines_saved_and_shown(track_page, team):
    url, client = track_page
    html = _save(
        client, url, {"action": "introduction", "contact": "team@noord.example\n06 12345678"}
    )
    assert "team@noord.example\n06 12345678</textarea>" in html
    # saving again without a new photo or contact keeps the saved lines
    html = _save(client, url, {"action": "introduction", "contact": ""})
    assert "team@noord.example\n06 12345678</textarea>" in html


def test_streets_coverage_and_resave_keeps_rows(track_page, world, team):
    url, client = track_page
    programme, member, _ = team
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Zora")
    base.team_member_add(actor=None, programme=programme, user=other)
    html = _save(client, url, {"action": "streets", "streets": "Lindelaan\nKerkpad\nMolenweg"})
    assert "0 van 3 straten bezorgd" in html
    assert "Lindelaan\nKerkpad\nMolenweg</textarea>" in re.sub(r"\n+", "\n", html) or all(
        s in html for s in ("Lindelaan", "Kerkpad", "Molenweg")
    )
    before = {a.street: (a.pk, a.user_id) for a in StreetAssignment.objects.all()}
    delivered = StreetAssignment.objects.filter(user=member).first()
    services.street_delivered(user=member, assignment=delivered, delivered=True)
    # the same list again: every row survives with its member and delivery
    html = _save(client, url, {"action": "streets", "streets": "Lindelaan\nKerkpad\nMolenweg"})
    assert {a.street: (a.pk, a.user_id) for a in StreetAssignment.objects.all()} == before
    assert "1 van 3 straten bezorgd" in html
    assert StreetAssignment.objects.get(pk=delivered.pk).delivered_at is not None
    # leaving out every street drops only the undelivered ones
    html = _save(client, url, {"action": "streets", "streets": ""})
    assert list(StreetAssignment.objects.values_list("street", flat=True)) == [delivered.street]
    assert "1 van 1 straat bezorgd" in html


def test_streets_bad_input_is_a_message(track_page, team):
    url, client = track_page
    response = client.post(url, {"action": "streets", "streets": "x" * 300}, follow=True)
    assert response.status_code == 200
    assert "hoogstens 200 tekens" in response.content.decode()
    assert not StreetAssignment.objects.exists()


def test_gear_sizes_totals_and_handed_out(track_page, world, team, track):
    url, client = track_page
    programme, member, _ = team
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Zora Bakker")
    third = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Ab Visser")
    for user in (other, third):
        base.team_member_add(actor=None, programme=programme, user=user)
    services.gear_sizes_save(user=member, programme=programme, bodywarmer_size="L", shirt_size="M")
    services.gear_sizes_save(user=other, programme=programme, bodywarmer_size="L", shirt_size="XL")
    html = client.get(url).content.decode()
    assert "L × 2" in html and "M × 1" in html and "XL × 1" in html
    assert "2 in totaal" in html and "nog niet gekozen" in html  # the third chose nothing yet
    html = _save(
        client,
        url,
        {"action": "gear", "user": member.pk, "item": "bodywarmer_given", "given": "1"},
    )
    row = re.search(rf'data-gear-row="{member.pk}".*?</tr>', html, re.S).group(0)
    assert re.search(r'aria-pressed="true">.*?Bodywarmer', row, re.S)
    # certificate and folder are stored too, also for a member without sizes
    for item in ("certificate_given", "folder_given"):
        html = _save(client, url, {"action": "gear", "user": third.pk, "item": item, "given": "1"})
    gear = Gear.objects.get(user=third)
    assert gear.certificate_given and gear.folder_given and not gear.bodywarmer_given
    row = re.search(rf'data-gear-row="{third.pk}".*?</tr>', html, re.S).group(0)
    assert row.count('aria-pressed="true"') == 2
    # untick again
    _save(
        client, url, {"action": "gear", "user": member.pk, "item": "bodywarmer_given", "given": "0"}
    )
    assert not Gear.objects.get(user=member).bodywarmer_given
    bad = client.post(
        url, {"action": "gear", "user": member.pk, "item": "password", "given": "1"}, follow=True
    )
    assert bad.status_code == 200 and "Onbekend" in bad.content.decode()
    outsider = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    assert (
        client.post(
            url, {"action": "gear", "user": outsider.pk, "item": "shirt_given", "given": "1"}
        ).status_code
        == 404
    )


def test_readiness_reasons(track_page, world, team, track):
    url, client = track_page
    programme, member, _ = team
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Zora Bakker")
    base.team_member_add(actor=None, programme=programme, user=other)
    services.assessment_record(actor=None, training=track["workshop"], user=other, passed=False)
    html = client.get(url).content.decode()
    assert (
        "Nog niet: kennismakingsbijeenkomst niet bijgewoond, workshop nog niet beoordeeld" in html
    )
    assert "workshop niet gehaald" in html
    reasons = re.findall(r"data-readiness>(.*?)</div>", html)
    assert len(reasons) == 2 and all(r.strip() and r.strip() not in "–-" for r in reasons)

    _attend_all(track, member)
    services.assessment_record(actor=None, training=track["workshop"], user=member, passed=True)
    roster = TeamMember.objects.get(user=member)
    assert _reason(roster) == "Nog niet: spelregels niet geaccepteerd"
    services.rules_accept(user=member, programme=programme)
    roster.refresh_from_db()
    assert roster.ready_for_rounds
    assert _reason(roster) == "Klaar: certificaat en spelregels"

    html = _save(
        client,
        url,
        {"action": "ready", "user": other.pk, "ready": "1", "reason": "Ervaren buurtvader"},
    )
    assert "Vrijgegeven door projectleider: Ervaren buurtvader" in html
    assert "Klaar: certificaat en spelregels" in html


def test_verdict_saved_and_shown(track_page, team, track):
    url, client = track_page
    member = team[1]
    html = _save(
        client, url, {"action": "assess", "user": member.pk, "passed": "0", "note": "Nog oefenen"}
    )
    assert 'value="Nog oefenen"' in html and "workshop niet gehaald" in html


def test_introduction_documents_shown(track_page, world, team, django_capture_on_commit_callbacks):
    url, client = track_page
    programme = team[0]
    html = client.get(url).content.decode()
    assert 'id="document-box-introduction_flyer"' in html
    assert 'id="document-box-introduction_poster"' in html
    generic = reverse(
        "document_request", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    client.post(generic, {"kind": "introduction_flyer"})  # not built yet: being made
    html = client.get(url).content.decode()
    box = re.search(r'id="document-box-introduction_flyer".*?</form>', html, re.S).group(0)
    assert "Wordt gemaakt" in box
    with django_capture_on_commit_callbacks(execute=True):
        client.post(generic, {"kind": "introduction_poster"})
    poster = Document.objects.filter(kind="introduction_poster").first()
    html = client.get(url).content.decode()
    box = re.search(r'id="document-box-introduction_poster".*?</form>', html, re.S).group(0)
    if poster.status == Document.Status.READY:
        assert "PDF downloaden" in box and f"/{poster.pk}/download/" in box


def test_page_before_the_track_is_planned_shows_saved_things(track_page, team):
    url, client = track_page
    programme, member, _ = team
    services.gear_sizes_save(user=member, programme=programme, bodywarmer_size="S", shirt_size="S")
    html = client.get(url).content.decode()
    assert "Plan het trainingstraject" in html or 'value="track"' in html
    assert "S × 1" in html and 'id="rules-text"' in html


def test_query_count_does_not_grow_with_the_team(track_page, world, team, track):
    url, client = track_page
    programme = team[0]

    def grow(n, start):
        for i in range(start, start + n):
            user = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name=f"Lid {i}")
            base.team_member_add(actor=None, programme=programme, user=user)
            services.gear_sizes_save(
                user=user, programme=programme, bodywarmer_size="M", shirt_size="L"
            )
            services.assessment_record(
                actor=None, training=track["workshop"], user=user, passed=i % 2 == 0
            )
            services.rules_accept(user=user, programme=programme)
            services.streets_divide(actor=None, programme=programme, streets=[f"Straat {i}"])
            services.team_invite(actor=None, training=track["introduction"])
            invitee = Invitee.objects.get(meeting=track["introduction"].meeting, user=user)
            base.invitee_set_attended(actor=None, invitee=invitee, attended=True)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    grow(1, 0)
    small = count()
    grow(12, 1)
    large = count()
    assert large == small, f"{small} queries with 2 members, {large} with 14"


def test_invitations_shown(track_page, world, team, track):
    url, client = track_page
    programme = team[0]
    assert client.get(url).content.decode().count("1 uitgenodigd") == 3
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Zora")
    base.team_member_add(actor=None, programme=programme, user=other)
    html = _save(client, url, {"action": "invite", "training": track["workshop"].pk})
    assert html.count("1 uitgenodigd") == 2 and html.count("2 uitgenodigd") == 1
