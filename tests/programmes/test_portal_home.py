"""The portal home first shows what waits for the client: cards that the apps register, each a
number with a link to the matching list, in a fixed number of queries."""

import ast
import datetime as dt
import uuid
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.workflow import Status
from programmes import registry
from programmes.permissions import Role
from recruitment import services as recruitment
from recruitment.workflow import Stage


def _signals(team, n, **extra):
    programme, member, categories = team
    for i in range(n):
        data = dict(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories[i % 3],
            description=f"Melding {i}",
            reported_at=timezone.now() - dt.timedelta(minutes=i),
            street="Lindelaan",
            house_number=str(i),
        )
        data.update(extra)
        patrols.signal_report(**data)


def _candidates(world, programme, n, start=0):
    pl = world.users[Role.PROJECT_LEADER]
    for i in range(start, start + n):
        a = recruitment.application_submit(
            programme=programme,
            consent="ja",
            source="paper",  # entered by the project leader: open or closed campaign alike
            actor=pl,
            name=f"Kandidaat {i}",
            email=f"k{i}-{programme.pk}@example.org",
            street="Laan",
            house_number=str(i),
            postcode="3031 AB",
            motivation="Graag",
        )
        recruitment.application_move(actor=pl, application=a, stage=Stage.INTERVIEW)
        recruitment.application_move(actor=pl, application=a, stage=Stage.PROPOSED, advice="Goed")


def _home(world):
    return reverse("portal_home", kwargs={"org": world.client.slug})


def _cards(response):
    return {card.label: card for card in response.context["cards"]}


def test_cards_count_what_waits_and_link_to_the_filtered_lists(client, world, team):
    programme = team[0]
    _signals(team, 3)
    _signals(team, 2, urgent=True)
    _signals(team, 1, reported_at=timezone.now() - dt.timedelta(days=30))  # overdue
    _signals(team, 1, urgent=True, description="Al opgelost")
    from patrols.models import Signal

    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF],
        signal=Signal.objects.get(description="Al opgelost"),
        status=Status.RESOLVED,
        text="Klaar",
    )
    _candidates(world, programme, 2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_home(world))
    cards = _cards(response)
    signals = reverse("patrols:portal_signals", kwargs={"org": world.client.slug})
    assert [c.label for c in response.context["cards"]] == [
        "kandidaten wachten op je besluit",
        "open meldingen",
        "dringende meldingen",
        "melding over de afhandeltermijn",
    ]
    assert cards["kandidaten wachten op je besluit"].count == 2
    assert cards["kandidaten wachten op je besluit"].detail == programme.name
    assert cards["kandidaten wachten op je besluit"].url == reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    assert cards["open meldingen"].count == 6
    assert cards["open meldingen"].url == f"{signals}?status=open"
    assert cards["dringende meldingen"].count == 2
    assert cards["dringende meldingen"].url == f"{signals}?status=open&urgent=1"
    assert cards["dringende meldingen"].tone == "alert"
    assert cards["melding over de afhandeltermijn"].count == 1
    assert cards["melding over de afhandeltermijn"].url == f"{signals}?overdue=1"
    page = response.content.decode()
    assert "Wat op je wacht" in page
    assert f'href="{signals}?status=open&amp;urgent=1"' in page
    # each link lands on a list that holds exactly what its card counted
    for card in cards.values():
        if card.url.startswith(signals):
            listed = client.get(card.url).context["page"].paginator.count
            assert listed == card.count, card.label


def test_quiet_client_sees_zero_signals_and_no_candidate_card(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    cards = _cards(client.get(_home(world)))
    assert set(cards) == {
        "open meldingen",
        "dringende meldingen",
        "meldingen over de afhandeltermijn",
    }
    assert all(card.count == 0 and card.tone == "neutral" for card in cards.values())


def test_candidates_of_two_programmes_get_a_card_each(client, world, team):
    from programmes import services

    pl = world.users[Role.PROJECT_LEADER]
    other = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    _candidates(world, team[0], 1)
    _candidates(world, other, 3, start=10)
    client.force_login(world.users[Role.CLIENT_STAFF])
    waiting = [c for c in client.get(_home(world)).context["cards"] if c.order == 10]
    assert [(c.detail, c.count, c.label) for c in waiting] == [
        ("Team Noord", 1, "kandidaat wacht op je besluit"),
        ("Team Zuid", 3, "kandidaten wachten op je besluit"),
    ]


def test_project_leader_sees_signal_cards_but_not_the_decision(client, world, team):
    _candidates(world, team[0], 1)
    client.force_login(world.users[Role.PROJECT_LEADER])
    cards = _cards(client.get(_home(world)))
    assert "kandidaat wacht op je besluit" not in cards and "open meldingen" in cards


def test_other_tenant_counts_are_not_shown(client, world, other_world, team):
    _signals(team, 2, urgent=True)
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    response = client.get(reverse("portal_home", kwargs={"org": other_world.client.slug}))
    assert all(card.count == 0 for card in response.context["cards"])


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_query_count_does_not_grow(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    _signals(team, 1, urgent=True)
    _candidates(world, team[0], 1)
    small = _count(client, _home(world))
    _signals(team, 40, urgent=True)
    _signals(team, 20, reported_at=timezone.now() - dt.timedelta(days=30))
    _candidates(world, team[0], 15, start=1)
    large = _count(client, _home(world))
    assert large == small


def test_registry_renders_what_is_registered_in_order(client, world, monkeypatch):
    def extra(*, user, organisation):
        return [registry.PortalCard(count=7, label="zeven dingen", url="/x/", order=1)]

    monkeypatch.setattr(registry, "_portal_card_providers", [*registry._portal_card_providers])
    registry.register_portal_cards(extra)
    registry.register_portal_cards(extra)  # twice is once
    client.force_login(world.users[Role.CLIENT_STAFF])
    cards = client.get(_home(world)).context["cards"]
    assert cards[0].label == "zeven dingen"
    assert sum(card.label == "zeven dingen" for card in cards) == 1


def test_the_base_app_imports_no_app_built_on_it():
    """Cards and the like come through the registry: `programmes` never names another app."""
    root = Path(__file__).resolve().parents[2] / "programmes"
    above = {"recruitment", "trainings", "patrols", "reporting"}
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in above]
    assert not offenders
