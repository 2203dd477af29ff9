"""The team member's track page posts each thing to its own address: accept the rules,
save sizes, tick a street; only a member of a team posts there."""

import pytest
from django.urls import reverse

from programmes.permissions import Role
from trainings import services
from trainings.models import Gear, RulesAcceptance, StreetAssignment


@pytest.fixture
def urls(world):
    org = {"org": world.client.slug}
    return {
        name: reverse(f"trainings:team_track_{name}", kwargs=org)
        for name in ("accept", "sizes", "street")
    } | {"page": reverse("trainings:team_track", kwargs=org)}


def test_each_action_has_its_own_address(client, world, team, urls):
    programme, member, _ = team
    services.streets_divide(actor=None, programme=programme, streets=["Kerkpad", "Molenweg"])
    mine = StreetAssignment.objects.filter(user=member).first()
    client.force_login(member)
    page = client.get(urls["page"]).content.decode()
    assert urls["accept"] in page and urls["sizes"] in page and urls["street"] in page
    assert 'name="action"' not in page  # no action field: the address says what is done

    response = client.post(urls["sizes"], {"bodywarmer_size": "M", "shirt_size": "S"})
    assert response.status_code == 302 and response["Location"] == urls["page"]
    assert Gear.objects.get(user=member).shirt_size == "S"
    client.post(urls["street"], {"street": mine.pk, "delivered": "1"})
    assert StreetAssignment.objects.get(pk=mine.pk).delivered_at is not None
    assert client.post(urls["street"], {"street": "999999"}).status_code == 404
    client.post(urls["accept"])
    assert RulesAcceptance.objects.filter(user=member).exists()


def test_only_a_member_of_a_team_posts(client, world, team, urls):
    for role in (Role.CONSULTANCY_ADMIN, Role.PROJECT_LEADER, Role.CLIENT_STAFF):
        client.force_login(world.users[role])
        for name in ("accept", "sizes", "street"):
            assert client.post(urls[name], {"street": "1"}).status_code == 403, (role, name)
    client.logout()
    assert client.post(urls["accept"]).status_code == 302  # to the login page
    assert not RulesAcceptance.objects.exists()
