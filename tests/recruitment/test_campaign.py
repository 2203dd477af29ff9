"""Campaign channels, the door-to-door round and inviting applicants to the meeting."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import services as base
from programmes.models import Invitee
from programmes.permissions import Role
from recruitment import selectors, services
from recruitment.models import Application, DoorVisit
from recruitment.workflow import Stage


def _url(world, programme):
    return reverse(
        "recruitment:programme_campaign",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def test_channels_and_doors(client, world, team):
    programme = team[0]
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url(world, programme)
    client.post(
        url, {"channel": "1", "kind": "letter", "date": "2026-09-14", "reach": "1.300 brieven"}
    )
    bad = client.post(url, {"channel": "1", "kind": "pigeon", "date": "gisteren"})
    assert "Selecteer een geldige keuze" in bad.content.decode()
    response = client.post(
        url, {"street": "Lindelaan", "house_number": "7a", "outcome": "interested"}
    )
    assert response.status_code == 302 and "street=Lindelaan" in response["Location"]
    client.post(
        url, {"street": "lindelaan", "house_number": "7A", "outcome": "applied"}
    )  # same door
    client.post(url, {"street": "Lindelaan", "house_number": "9", "outcome": "not_home"})
    client.post(url, {"street": "Dorpsstraat", "house_number": "1", "outcome": "not_interested"})
    assert DoorVisit.objects.count() == 3
    coverage = {row["street"]: row for row in selectors.door_coverage(programme=programme)}
    assert coverage["Lindelaan"]["doors"] == 2 and coverage["Lindelaan"]["interested"] == 1
    assert coverage["Lindelaan"]["not_home"] == 1 and coverage["Dorpsstraat"]["doors"] == 1
    page = client.get(url + "?street=Lindelaan").content.decode()
    assert "1.300 brieven" in page and 'value="Lindelaan"' in page


def test_coverage_is_one_query(world, team):
    programme = team[0]
    for i in range(30):
        services.door_visit_log(
            actor=None,
            programme=programme,
            street=f"Straat {i % 5}",
            house_number=str(i),
            outcome="not_home",
        )
    with CaptureQueriesContext(connection) as ctx:
        list(selectors.door_coverage(programme=programme))
    assert len(ctx) == 1


def test_invite_applicants_to_the_information_meeting(
    client, world, team, mailoutbox, django_capture_on_commit_callbacks
):
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    services.campaign_save(actor=pl, programme=programme, is_open=True)
    for name in ("Ans", "Bram"):
        services.application_submit(
            programme=programme,
            consent="ja",
            name=name,
            email=f"{name.lower()}@example.org",
            street="Laan",
            house_number="1",
            postcode="3031 AB",
            motivation="Graag",
        )
    start = timezone.now() + dt.timedelta(days=7)
    meeting = base.meeting_create(
        actor=pl,
        programme=programme,
        kind="information",
        title="Info-avond",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
    )
    client.force_login(pl)
    url = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"invite_meeting": meeting.pk})
        client.post(url, {"invite_meeting": meeting.pk})  # again: nobody twice
    assert Invitee.objects.filter(meeting=meeting).count() == 2
    assert set(Application.objects.values_list("stage", flat=True)) == {Stage.INVITED}
    assert sum("Uitnodiging: Info-avond" in m.subject for m in mailoutbox) == 2
