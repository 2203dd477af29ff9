"""The trainer passes two of three members: two certificates are made and mailed with the PDF;
one is checked on a phone through its QR link; a member picks sizes and ticks off streets."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from programmes import services as programmes
from programmes.models import OutboxMessage
from programmes.permissions import Role
from trainings import services
from trainings.documents import verify_url
from trainings.models import Certificate, Gear, StreetAssignment, Training

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_certificates_verify_and_member_track(
    live_server, phone, world, team, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    others = [
        UserFactory(role="team_member", organisation=world.client, name=name)
        for name in ("Sanne de Vries", "Karim Amrani")
    ]
    for user in others:
        programmes.team_member_add(actor=pl, programme=programme, user=user)
    start = timezone.now() + dt.timedelta(days=3)
    track = services.track_create(
        actor=pl,
        programme=programme,
        location="Buurthuis",
        starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
    )
    workshop = next(t for t in track if t.kind == Training.Kind.WORKSHOP)
    services.assessment_record(actor=pl, training=workshop, user=member, passed=True)
    services.assessment_record(actor=pl, training=workshop, user=others[0], passed=True)
    services.assessment_record(
        actor=pl, training=workshop, user=others[1], passed=False, note="Volgende keer"
    )

    certificates = list(Certificate.objects.select_related("document"))
    assert sorted(c.user_id for c in certificates) == sorted([member.pk, others[0].pk])
    assert all(c.document.status == "ready" for c in certificates)
    sent = OutboxMessage.objects.filter(template="trainings/certificate", status="sent")
    assert sorted(sent.values_list("to_email", flat=True)) == sorted(
        [member.email, others[0].email]
    )
    pdfs = [m for m in mail.outbox if any(a[2] == "application/pdf" for a in m.attachments)]
    assert len(pdfs) == 2

    mine = next(c for c in certificates if c.user_id == member.pk)
    phone.goto(verify_url(mine))
    expect(phone.get_by_text("Dit certificaat is geldig.")).to_be_visible()
    expect(phone.get_by_text(mine.holder_name)).to_be_visible()
    shot(phone, "62-certificate-verified-phone")

    services.streets_divide(actor=pl, programme=programme, streets=["Lindelaan", "Eikstraat"])
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    phone.goto(f"{live_server.url}/team/{world.client.slug}/track/")
    phone.get_by_label("Bodywarmer").select_option("L")
    phone.get_by_label("Shirt").select_option("M")
    phone.get_by_role("button", name="Mijn maten opslaan").click()
    expect(phone.get_by_label("Shirt")).to_have_value("M")
    mine_streets = StreetAssignment.objects.filter(user=member)
    first = mine_streets.first()
    phone.get_by_role("button", name=f"Bezorgd {first.street}").click()
    expect(phone.get_by_role("button", name=f"✓ Bezorgd {first.street}")).to_be_visible()
    shot(phone, "63-member-track-phone")
    gear = Gear.objects.get(user=member)
    assert (gear.bodywarmer_size, gear.shirt_size) == ("L", "M")
    first.refresh_from_db()
    assert first.delivered_at is not None
