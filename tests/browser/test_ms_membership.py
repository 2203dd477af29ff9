"""The team over time in the browser: a member pauses on the phone (until a date, then
finds the pause on their home and cannot join a round), the project leader sees it on the
Team tab with its history; and a newcomer trained in a cohort of their own passes their
cohort's workshop and starts walking."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patrols import services as patrols
from programmes import services as programmes
from programmes.models import Invitee, TeamMember
from programmes.permissions import Role
from trainings import services
from trainings.models import Certificate, Training

from ..factories import UserFactory
from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_a_member_pauses_on_the_phone(live_server, page, phone, world, team, shot):
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    patrols.round_slot_create(
        actor=pl,
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis De Linde",
    )
    until = timezone.localdate() + dt.timedelta(days=21)

    _login(phone, live_server.url, member)
    expect(phone.get_by_role("button", name=re.compile("^Ik doe mee"))).to_be_visible()
    phone.get_by_role("link", name="Mijn lidmaatschap: pauzeren of stoppen").click()
    phone.get_by_label("Gepauzeerd tot en met").fill(until.isoformat())
    phone.get_by_label("Reden (niet verplicht)").fill("Vakantie")
    phone.get_by_role("button", name="Pauzeren").click()
    expect(phone.get_by_text("Geniet van je pauze!")).to_be_visible()
    phone.reload()
    expect(
        phone.get_by_text(re.compile("Je bent gepauzeerd tot en met .*: tot die tijd"))
    ).to_be_visible()
    expect(phone.get_by_role("button", name="Ik ben er weer")).to_be_visible()
    shot(phone, "ms-01-member-paused-phone")
    phone.get_by_role("link", name="Terug").click()
    expect(phone.get_by_text(re.compile("^Je bent gepauzeerd tot en met"))).to_be_visible()
    expect(phone.get_by_role("button", name=re.compile("^Ik doe mee"))).to_have_count(0)
    expect(phone.get_by_role("link", name="Ronde starten")).to_have_count(0)
    shot(phone, "ms-02-home-paused-phone")
    row = TeamMember.objects.get(programme=programme, user=member)
    assert (row.state, row.paused_until) == ("paused", until)

    # The project leader finds the pause on the Team tab, with its history.
    page.set_viewport_size({"width": 1400, "height": 900})
    _login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_text(re.compile("Gepauzeerd t/m"))).to_be_visible()
    shot(page, "ms-03a-leader-team-tab")
    page.get_by_role("link", name=member.name).click()
    history = page.locator("section", has=page.get_by_role("heading", name="Verloop"))
    expect(history.get_by_text("Vakantie")).to_be_visible()
    expect(history.get_by_text(member.name)).to_be_visible()
    shot(page, "ms-03-leader-member-history")


def test_a_newcomer_passes_their_cohort_workshop_and_starts_walking(
    live_server, page, phone, world, team, shot
):
    programme, founder, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    start = timezone.now() - dt.timedelta(days=60)
    services.track_create(
        actor=pl,
        programme=programme,
        location="Buurthuis",
        starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
    )
    nadia = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Nadia Bakker")
    row = programmes.team_member_add(actor=pl, programme=programme, user=nadia)
    begin = timezone.now() - dt.timedelta(days=3)
    cohort = services.cohort_create(
        actor=pl,
        programme=programme,
        location="Buurthuis, kleine zaal",
        starts={k: begin + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
        members=[row],
    )
    track = {t.kind: t for t in cohort.trainings.all()}
    for training in track.values():
        services.team_invite(actor=pl, training=training)
    for kind in ("introduction", "instruction"):
        invitee = Invitee.objects.get(meeting=track[kind].meeting, user=nadia)
        programmes.invitee_set_attended(actor=pl, invitee=invitee, attended=True)
    services.rules_accept(user=nadia, programme=programme)

    # The project leader: the newcomers' cohort on the trainings page, Nadia passes.
    page.set_viewport_size({"width": 1400, "height": 900})
    _login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Trainingen", exact=True).click()
    expect(page.get_by_role("heading", name="Groep 2", exact=True)).to_be_visible()
    page.get_by_role("button", name="Gehaald Nadia Bakker", exact=True).click()
    page.reload()
    expect(
        page.locator("form", has_text="Nadia Bakker").get_by_text("gehaald", exact=True)
    ).to_be_visible()
    shot(page, "ms-04-newcomer-cohort-track")
    certificate = Certificate.objects.get(programme=programme, user=nadia)
    assert certificate.assessment.training == track["workshop"]
    assert TeamMember.objects.get(pk=row.pk).ready_for_rounds

    # Nadia starts walking.
    _login(phone, live_server.url, nadia)
    phone.get_by_role("link", name="Ronde starten").click()
    expect(phone).to_have_url(re.compile("/round/$"))
    shot(phone, "ms-05-newcomer-starts-a-round")
