"""Rules acceptance, readiness for rounds, kickoff gear and the streets for the flyer."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes import services as base
from programmes.models import Invitee, TeamMember
from programmes.permissions import Role
from trainings import services
from trainings.models import Gear, RulesAcceptance, StreetAssignment

from ..factories import UserFactory


def test_rules_accepted_with_text_and_time(world, team, track):
    programme, member, _ = team
    services.rules_save(actor=None, programme=programme, text="Wees vriendelijk.")
    acceptance = services.rules_accept(user=member, programme=programme)
    services.rules_save(actor=None, programme=programme, text="Nieuwe regels.")
    acceptance.refresh_from_db()
    assert (
        acceptance.text == "Wees vriendelijk."
        and abs((acceptance.accepted_at - timezone.now()).total_seconds()) < 60
    )
    with pytest.raises(ValidationError):
        services.rules_accept(
            user=UserFactory(role=Role.TEAM_MEMBER, organisation=world.client), programme=programme
        )


def test_ready_for_rounds_only_after_the_whole_track(world, team, track):
    programme, member, _ = team
    roster = TeamMember.objects.get(user=member)
    for kind in ("introduction", "instruction"):
        invitee = Invitee.objects.get(meeting=track[kind].meeting, user=member)
        base.invitee_set_attended(actor=None, invitee=invitee, attended=True)
    services.assessment_record(actor=None, training=track["workshop"], user=member, passed=True)
    roster.refresh_from_db()
    assert not roster.ready_for_rounds  # rules not accepted yet
    services.rules_accept(user=member, programme=programme)
    roster.refresh_from_db()
    assert roster.ready_for_rounds and roster.ready_reason == ""


def test_project_leader_override_needs_a_reason(client, world, team, track):
    programme, member, _ = team
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    refused = client.post(
        url, {"action": "ready", "user": member.pk, "ready": "1", "reason": ""}, follow=True
    )
    assert "Zeg waarom" in refused.content.decode()
    assert not TeamMember.objects.get(user=member).ready_for_rounds
    client.post(
        url,
        {"action": "ready", "user": member.pk, "ready": "1", "reason": "Was al wijkvrijwilliger"},
    )
    roster = TeamMember.objects.get(user=member)
    assert roster.ready_for_rounds and roster.ready_reason == "Was al wijkvrijwilliger"


def test_gear_order_list(world, team, track):
    programme, member, _ = team
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    base.team_member_add(actor=None, programme=programme, user=other)
    services.gear_sizes_save(user=member, programme=programme, bodywarmer_size="L", shirt_size="M")
    services.gear_sizes_save(user=other, programme=programme, bodywarmer_size="L", shirt_size="XL")
    order = services.gear_order_list(programme=programme)
    assert (
        dict(order["bodywarmer"])["L"] == 2
        and dict(order["shirt"])["M"] == 1
        and dict(order["shirt"])["XL"] == 1
    )
    with pytest.raises(ValidationError):
        services.gear_sizes_save(
            user=member, programme=programme, bodywarmer_size="XXXXL", shirt_size="M"
        )
    gear = Gear.objects.get(user=member)
    services.gear_hand_out(actor=None, gear=gear, item="shirt_given", given=True)
    gear.refresh_from_db()
    assert gear.shirt_given
    with pytest.raises(ValidationError):
        services.gear_hand_out(actor=None, gear=gear, item="password", given=True)


def test_streets_divided_and_delivered(client, world, team, track):
    programme, member, _ = team
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name="Zora")
    base.team_member_add(actor=None, programme=programme, user=other)
    assert (
        services.streets_divide(
            actor=None,
            programme=programme,
            streets=["Lindelaan", "Dorpsstraat", "Lindelaan", " ", "Kerkpad"],
        )
        == 3
    )
    assert (
        services.streets_divide(actor=None, programme=programme, streets=["Kerkpad", "Molenweg"])
        == 1
    )
    mine = StreetAssignment.objects.filter(user=member)
    assert mine.count() >= 1
    client.force_login(member)
    url = reverse("trainings:team_track", kwargs={"org": world.client.slug})
    page = client.get(url).content.decode()
    assert mine.first().street in page
    client.post(url, {"action": "sizes", "bodywarmer_size": "M", "shirt_size": "S"})
    client.post(url, {"action": "street", "street": mine.first().pk, "delivered": "1"})
    assert StreetAssignment.objects.get(pk=mine.first().pk).delivered_at is not None
    theirs = StreetAssignment.objects.filter(user=other).first()
    assert (
        client.post(
            url, {"action": "street", "street": theirs.pk, "delivered": "1"}, follow=True
        ).status_code
        == 200
    )
    assert StreetAssignment.objects.get(pk=theirs.pk).delivered_at is None
    client.post(url, {"action": "accept"})
    assert RulesAcceptance.objects.filter(user=member).exists()
    assert Gear.objects.get(user=member).shirt_size == "S"


def test_introduction_flyer_and_poster(
    client, world, team, track, django_capture_on_commit_callbacks
):
    import io
    import subprocess
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from programmes.models import Document
    from programmes.pdf import render_html
    from programmes.services.documents import BUILDERS

    programme, member, _ = team
    out = io.BytesIO()
    Image.new("RGB", (1600, 1000), "#3c6f8f").save(out, format="JPEG")
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    client.post(
        url,
        {
            "action": "introduction",
            "contact": "team@noord.example\n06 12345678",
            "photo": SimpleUploadedFile("team.jpg", out.getvalue(), "image/jpeg"),
        },
    )
    bad = client.post(
        url,
        {
            "action": "introduction",
            "contact": "",
            "photo": SimpleUploadedFile("x.jpg", b"nope", "image/jpeg"),
        },
        follow=True,
    )
    assert "geen afbeelding" in bad.content.decode()
    generic = reverse(
        "document_request", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    for kind in ("introduction_flyer", "introduction_poster"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(generic, {"kind": kind})
        document = Document.objects.get(kind=kind)
        assert document.status == Document.Status.READY
        template, context, language = BUILDERS[kind](document)
        html = render_html(template=template, context=context, language=language)
        assert member.first_name in html and "team@noord.example" in html and "Maak kennis" in html
        with document.file.open("rb") as fh:
            (artifacts / f"{kind}.pdf").write_bytes(fh.read())
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                str(artifacts / f"{kind}.pdf"),
                str(artifacts / f"61-{kind}"),
            ],
            check=True,
        )
