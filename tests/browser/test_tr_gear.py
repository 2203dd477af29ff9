"""Kickoff gear end to end: a member picks sizes on the phone; the project leader opens the
trainings page from the start page, sees the sizes and the order list, ticks the bodywarmer
as handed out, opens the page again and finds it ticked, and reads why each member is (not
yet) ready for rounds."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes import services as programmes
from programmes.models import Invitee
from programmes.permissions import Role
from trainings import services
from trainings.models import Gear, Training

from ..factories import UserFactory
from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_member_picks_sizes_and_leader_hands_out(live_server, page, phone, world, team, shot):
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    sanne = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Sanne de Vries")
    programmes.team_member_add(actor=pl, programme=programme, user=sanne)
    start = timezone.now() - dt.timedelta(days=10)
    track = {
        t.kind: t
        for t in services.track_create(
            actor=pl,
            programme=programme,
            location="Buurthuis",
            starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
        )
    }
    for t in track.values():
        services.team_invite(actor=pl, training=t)
    # the member went through the whole track but has not accepted the rules yet;
    # Sanne did not pass the workshop
    for kind in ("introduction", "instruction"):
        invitee = Invitee.objects.get(meeting=track[kind].meeting, user=member)
        programmes.invitee_set_attended(actor=pl, invitee=invitee, attended=True)
    programmes.team_member_set_ready(actor=pl, member=programme.team.get(user=member), ready=False)
    services.assessment_record(actor=pl, training=track["workshop"], user=member, passed=True)
    services.assessment_record(actor=pl, training=track["workshop"], user=sanne, passed=False)

    # the member picks sizes in the phone app and accepts the rules
    _login(phone, live_server.url, member)
    phone.get_by_role("link", name="Spelregels, kleding en mijn straten").click()
    phone.get_by_label("Bodywarmer").select_option("XL")
    phone.get_by_label("Shirt").select_option("L")
    phone.get_by_role("button", name="Mijn maten opslaan").click()
    expect(phone.get_by_text("Je maten zijn opgeslagen.")).to_be_visible()
    expect(phone.get_by_label("Bodywarmer")).to_have_value("XL")
    phone.get_by_role("button", name="Ik accepteer de spelregels").click()
    shot(phone, "tr-member-sizes-phone")
    gear = Gear.objects.get(user=member)
    assert (gear.bodywarmer_size, gear.shirt_size) == ("XL", "L")
    services.gear_sizes_save(user=sanne, programme=programme, bodywarmer_size="XL", shirt_size="M")

    # the project leader goes from the start page to the programme's trainings
    page.set_viewport_size({"width": 1400, "height": 900})
    _login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Trainingen", exact=True).click()
    gear_card = page.locator("section", has=page.get_by_role("heading", name="Aftrap: kleding"))
    order = gear_card.locator("[data-order-list]")
    expect(order).to_contain_text("XL × 2")
    expect(order).to_contain_text("L × 1")
    expect(order).to_contain_text("M × 1")
    row = gear_card.locator(f'[data-gear-row="{member.pk}"]')
    expect(row).to_contain_text("XL")
    expect(row).to_contain_text("L")

    bodywarmer = row.get_by_role("button", name=f"Bodywarmer {member.name}")
    expect(bodywarmer).to_have_attribute("aria-pressed", "false")
    bodywarmer.click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()

    # open the page again: the tick is still there
    page.get_by_role("link", name="Overzicht").click()
    page.get_by_role("link", name="Trainingen", exact=True).click()
    row = page.locator(f'[data-gear-row="{member.pk}"]')
    expect(row.get_by_role("button", name=f"Bodywarmer {member.name}")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(row.get_by_role("button", name=f"Shirt {member.name}")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert Gear.objects.get(user=member).bodywarmer_given

    # ready for rounds, each with its reason
    ready_card = page.locator("section", has=page.get_by_role("heading", name="Klaar voor rondes"))
    expect(ready_card).to_contain_text("Klaar: certificaat en spelregels")
    expect(ready_card).to_contain_text("Nog niet:")
    expect(ready_card).to_contain_text("workshop niet gehaald")
    reasons = ready_card.locator("[data-readiness]")
    expect(reasons).to_have_count(2)
    for text in reasons.all_inner_texts():
        assert text.strip() not in ("", "-", "–")
    gear_card.scroll_into_view_if_needed()
    shot(page, "tr-trainings-gear-ready")
