"""A member of two programmes chooses the one to work in; the choice lasts the session."""

import datetime as dt

import pytest
from django.urls import reverse

from programmes import services
from programmes.permissions import Role


@pytest.fixture
def two_teams(team, world):
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    second = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Centrum",
        neighbourhood="Centrum",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.team_member_add(actor=pl, programme=second, user=member)
    return programme, second, member


def test_member_of_two_teams_chooses_after_login(client, world, two_teams):
    first, second, member = two_teams
    client.force_login(member)
    org = world.client.slug
    after_login = client.get(reverse("home"), follow=True)
    assert after_login.redirect_chain[-1][0] == reverse("patrols:team_choose", kwargs={"org": org})
    page = after_login.content.decode()
    assert "Team Noord" in page and "Team Centrum" in page
    # The round screen also waits for the choice.
    assert client.get(reverse("patrols:team_round", kwargs={"org": org}))["Location"] == reverse(
        "patrols:team_choose", kwargs={"org": org}
    )
    chosen = client.post(
        reverse("patrols:team_choose", kwargs={"org": org}), {"programme": second.pk}, follow=True
    )
    home = chosen.content.decode()
    assert chosen.redirect_chain[-1][0] == reverse("patrols:team_home", kwargs={"org": org})
    assert "Team Centrum" in home and "Ander team kiezen" in home
    # Not ready in the second team (only the first set them ready): the reason shows.
    assert "Je kunt nog geen rondes lopen" in home
    assert client.get(reverse("patrols:team_round", kwargs={"org": org})).status_code == 403
    client.post(reverse("patrols:team_choose", kwargs={"org": org}), {"programme": first.pk})
    home = client.get(reverse("patrols:team_home", kwargs={"org": org})).content.decode()
    assert "Team Noord" in home and "Ronde starten" in home
    round_page = client.get(reverse("patrols:team_round", kwargs={"org": org}))
    assert round_page.status_code == 200 and f'"programme": {first.pk}' in (
        round_page.content.decode()
    )


def test_choice_of_a_programme_not_yours_is_refused(client, world, two_teams, other_world):
    first, second, member = two_teams
    outsider = services.programme_create(
        actor=world.users[Role.PROJECT_LEADER],
        client=world.client,
        project_leaders=[world.users[Role.PROJECT_LEADER]],
        name="Team Zonder Jou",
        neighbourhood="Oost",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    client.force_login(member)
    url = reverse("patrols:team_choose", kwargs={"org": world.client.slug})
    for value in (outsider.pk, "x", ""):
        answer = client.post(url, {"programme": value}, follow=True)
        assert "Kies een van je teams." in answer.content.decode()
    assert "team_programme" not in client.session


def test_member_of_one_team_never_sees_the_chooser(client, world, team):
    client.force_login(team[1])
    home = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    assert home.status_code == 200 and "Ander team kiezen" not in home.content.decode()
