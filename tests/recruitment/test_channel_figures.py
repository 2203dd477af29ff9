"""Which channel brought applicants: how an applicant heard of the campaign (public form and
the project leader's paper entry), counted per channel and stage in SQL next to the
channels the campaign used; bounded input, tenant isolation and constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from programmes.permissions import Role
from recruitment import selectors, services
from recruitment.forms import ApplicationEntryForm, ApplicationForm
from recruitment.models import Application, Channel, HeardVia
from recruitment.workflow import Stage


def _apply(programme, i, heard_via, **extra):
    return services.application_submit(
        programme=programme,
        consent="ja",
        name=f"Kandidaat {i}",
        email=f"k{i}@example.org",
        street="Laan",
        house_number=str(i),
        postcode="3031 AB",
        motivation="Graag",
        heard_via=heard_via,
        source="paper",  # the public page is closed; paper applications come in regardless
        **extra,
    )


def _at(application, stage):
    # The stages' own moves are tested elsewhere; here only the count per stage matters.
    Application.objects.filter(pk=application.pk).update(stage=stage)


@pytest.fixture
def campaign(world, team):
    """Letters twice and a poster used; applicants by letter (3: selected, waiting, not
    selected; plus one merged away), social media (1, never used as a channel), a neighbour
    (1 at interview), and one who did not say (1 proposed)."""
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    for kind, day, reach in [
        ("letter", dt.date(2026, 9, 14), "1.300 brieven"),
        ("letter", dt.date(2026, 10, 1), "800 brieven"),
        ("poster", dt.date(2026, 9, 20), "12 posters"),
    ]:
        services.channel_add(actor=pl, programme=programme, kind=kind, date=day, reach=reach)
    _at(_apply(programme, 1, "letter"), Stage.SELECTED)
    _apply(programme, 2, "letter")
    _at(_apply(programme, 3, "letter"), Stage.NOT_SELECTED)
    twin = _apply(programme, 4, "letter")
    Application.objects.filter(pk=twin.pk).update(
        merged_into=Application.objects.get(name="Kandidaat 2")
    )
    _apply(programme, 5, "social")
    _at(_apply(programme, 6, "neighbour"), Stage.INTERVIEW)
    _at(_apply(programme, 7, ""), Stage.PROPOSED)
    return programme


def test_heard_via_offers_the_channel_kinds_and_a_neighbour():
    assert set(Channel.Kind.values) <= set(HeardVia.values)
    assert set(HeardVia.values) - set(Channel.Kind.values) == {"neighbour"}


def test_figures_by_hand(world, campaign):
    figures = selectors.channel_figures_for(programme=campaign)
    rows = {r["heard_via"]: r for r in figures["rows"]}
    # In the choices' order, "not said" last; a kind neither used nor named is left out.
    assert [r["heard_via"] for r in figures["rows"]] == [
        "social",
        "letter",
        "poster",
        "neighbour",
        "",
    ]
    letter = rows["letter"]
    assert (
        letter["applications"],
        letter["selected"],
        letter["not_selected"],
        letter["waiting"],
    ) == (3, 1, 1, 1)
    assert letter["stages"][Stage.APPLIED] == 1
    assert [(u["date"], u["reach"]) for u in letter["used"]] == [
        (dt.date(2026, 9, 14), "1.300 brieven"),
        (dt.date(2026, 10, 1), "800 brieven"),
    ]
    assert (rows["poster"]["applications"], len(rows["poster"]["used"])) == (0, 1)
    assert (rows["social"]["applications"], rows["social"]["used"]) == (1, [])
    assert rows["neighbour"]["stages"][Stage.INTERVIEW] == 1 and rows["neighbour"]["waiting"] == 1
    assert rows[""]["stages"][Stage.PROPOSED] == 1 and rows[""]["waiting"] == 1
    assert figures["totals"]["applications"] == 6  # the merged application is not counted
    assert (
        figures["totals"]["selected"],
        figures["totals"]["not_selected"],
        figures["totals"]["waiting"],
    ) == (1, 1, 4)
    assert figures["totals"]["stages"][Stage.APPLIED] == 2
    assert [v for v, _label in figures["stages"]] == list(Stage.values)


def test_another_programmes_applications_are_not_counted(world, other_world, campaign):
    from programmes import services as programmes

    pl = other_world.users[Role.PROJECT_LEADER]
    other = programmes.programme_create(
        actor=pl,
        client=other_world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Zuidstad",
        start_date=dt.date(2026, 9, 7),
    )
    _apply(other, 99, "letter")
    assert selectors.channel_figures_for(programme=campaign)["totals"]["applications"] == 6
    assert selectors.channel_figures_for(programme=other)["rows"][0]["applications"] == 1


def test_campaign_page_shows_the_figures(client, world, campaign):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "recruitment:programme_campaign",
        kwargs={"org": world.client.slug, "programme_pk": campaign.pk},
    )
    page = client.get(url).content.decode()
    assert "Aanmelders per kanaal" in page and "Via een buur of kennis" in page
    assert "800 brieven" in page and "Niet gezegd" in page and "Totaal" in page


def test_public_form_stores_and_bounds_heard_via(client, world, team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    url = reverse(
        "recruitment:apply", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    data = {
        "name": "Anna de Vries",
        "email": "anna@example.org",
        "street": "Laan",
        "house_number": "3",
        "postcode": "3031 AB",
        "motivation": "Graag",
        "consent": "on",
    }
    page = client.get(url).content.decode()
    assert 'name="heard_via"' in page and "Via een buur of kennis" in page
    bad = client.post(url, {**data, "heard_via": "tv"})
    assert bad.status_code == 200
    assert "Kies een van de manieren uit de lijst, of laat het leeg." in bad.content.decode()
    assert not Application.objects.exists()
    long = client.post(url, {**data, "heard_via": "x" * 5000})
    assert long.status_code == 200 and not Application.objects.exists()
    client.post(url, {**data, "heard_via": "poster"})
    client.post(url, {**data, "email": "b@example.org", "name": "Bram", "house_number": "4"})
    assert dict(Application.objects.values_list("name", "heard_via")) == {
        "Anna de Vries": "poster",
        "Bram": "",
    }


def test_forms_say_it_in_dutch():
    with translation.override("nl"):
        form = ApplicationForm({"heard_via": "radio"})
        assert form.errors["heard_via"] == [
            "Kies een van de manieren uit de lijst, of laat het leeg."
        ]
        assert not ApplicationEntryForm({"heard_via": "neighbour"}).has_error("heard_via")
        assert ApplicationEntryForm({"source": "online"}).has_error("source")


def _entry_url(world, programme):
    return reverse(
        "recruitment:application_entry",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def test_paper_entry_by_the_project_leader(client, world, team):
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    url = _entry_url(world, programme)
    data = {
        "source": "door",
        "name": "Cor Bakker",
        "email": "cor@example.org",
        "street": "Laan",
        "house_number": "8",
        "postcode": "3031ab",
        "motivation": "Aan de deur gevraagd",
        "heard_via": "door",
    }
    missing = client.post(url, data)  # the consent not confirmed
    assert missing.status_code == 200 and not Application.objects.exists()
    assert "akkoord ging met de tekst hierboven" in missing.content.decode()
    assert client.post(url, {**data, "consent": "on"}).status_code == 302
    application = Application.objects.get()
    assert (application.source, application.heard_via, application.postcode) == (
        "door",
        "door",
        "3031 AB",
    )
    assert application.events.get().actor == pl
    # The public page may be closed: staff still enter paper applications.
    assert services.campaign_for(programme=programme).is_open is False
    selection = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    assert url in client.get(selection).content.decode()


def test_paper_entry_of_another_client_is_not_found(client, world, other_world, team):
    url = _entry_url(world, team[0])
    client.force_login(other_world.users[Role.PROJECT_LEADER])
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_campaign_page_queries_do_not_grow(client, world, team):
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    url = reverse(
        "recruitment:programme_campaign",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    kinds = list(HeardVia.values) + [""]
    for i in range(5):
        _apply(programme, i, kinds[i % len(kinds)])
    services.channel_add(actor=pl, programme=programme, kind="letter", date=dt.date(2026, 9, 1))
    few = _count(client, url)
    for i in range(5, 80):
        _at(_apply(programme, i, kinds[i % len(kinds)]), list(Stage.values)[i % len(Stage.values)])
    for kind in Channel.Kind.values:
        services.channel_add(actor=pl, programme=programme, kind=kind, date=dt.date(2026, 9, 2))
    assert _count(client, url) == few
    with CaptureQueriesContext(connection) as ctx:
        selectors.channel_figures_for(programme=programme)
    assert len(ctx) == 2
