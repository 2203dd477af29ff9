"""Campaign channels, the door-to-door round and inviting applicants to the meeting."""

import datetime as dt

import pytest
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


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"channel": "1", "kind": "pigeon", "date": "gisteren", "reach": '<b>"x"</b> & y'},
        {"channel": "1", "kind": "letter", "date": "2026-09-14", "reach": "1.300"},
        {"street": '<b>"x"</b>', "house_number": "", "outcome": "bogus", "note": "a & b"},
        {"street": "Lindelaan", "house_number": "7", "outcome": "applied"},
    ],
)
def test_campaign_fields_are_written_as_the_include_writes_them(data):
    """recruitment.field_html writes the campaign's fields without the include and Django's
    widget templates: the same markup, errors and escaped values included."""
    from django.template.loader import render_to_string  # noqa: PLC0415

    from recruitment.field_html import field_html, form_errors_html  # noqa: PLC0415
    from recruitment.forms import ChannelForm, DoorVisitForm  # noqa: PLC0415

    for form_class in (ChannelForm, DoorVisitForm):
        form = form_class(data, initial={"street": "Dorpsstraat"}) if data else form_class()
        form.is_valid()
        for name in form.fields:
            included = render_to_string("recruitment/includes/field.html", {"field": form[name]})
            assert field_html(form[name]) == included, name
        assert form_errors_html(form) == render_to_string(
            "recruitment/includes/form_errors.html", {"form": form}
        )


def test_campaign_page_writes_channels_and_streets_as_text(client, world, team):
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    markup = '<b>"x" & y</b>'
    services.channel_add(
        actor=pl, programme=programme, kind="letter", date=dt.date(2026, 9, 1), reach=markup
    )
    services.door_visit_log(
        actor=pl, programme=programme, street=markup, house_number="1", outcome="interested"
    )
    client.force_login(pl)
    page = client.get(_url(world, programme)).content.decode()
    escaped = "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
    assert markup not in page
    assert f"1 sep. 2026 · <strong>Brieven</strong> · {escaped}</p>" in page
    assert f"<tr><td>{escaped}</td>" in page
    assert f"1 sep. 2026 · {escaped}</td>" in page  # among the channels used per way heard of


@pytest.mark.parametrize("language", ["nl", "en"])
def test_campaign_dates_are_the_date_filters(language):
    """recruitment.campaign_rows writes "j N Y" and "j N" with `datetime_formatter`: the same
    as the filter."""
    from django.utils import translation  # noqa: PLC0415
    from django.utils.dateformat import format as date_format  # noqa: PLC0415

    from programmes.dates import datetime_formatter  # noqa: PLC0415

    with translation.override(language):
        for month in range(1, 13):
            day = dt.date(2026, month, month + 10)
            for fmt in ("j N Y", "j N"):
                assert datetime_formatter(fmt)(day) == date_format(day, fmt)
