"""Starting a programme from the screens: from the client's page and from the workspace (choose
the client first). Whoever may not add a client is told who can; a client without a programme
is a real page, in the workspace and in the portal."""

from django.urls import reverse

from programmes.permissions import Role

from ..factories import UserFactory


def _create_url(org):
    return reverse("programme_create", kwargs={"org": org.slug})


def test_workspace_new_programme_lets_the_leader_choose_a_client(client, world, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    admin = world.users[Role.CONSULTANCY_ADMIN]
    client.force_login(pl)
    workspace = client.get(reverse("workspace")).content.decode()
    assert f'href="{reverse("programme_new")}"' in workspace and "Nieuw programma" in workspace
    page = client.get(reverse("programme_new")).content.decode()
    assert f'href="{_create_url(world.client)}"' in page
    # Only the clients the leader works for.
    assert _create_url(world.other_client) not in page
    assert (
        "Alleen een beheerder van het adviesbureau kan een nieuwe opdrachtgever aanmaken." in page
    )
    assert f'href="mailto:{admin.email}"' in page and admin.name in page
    assert reverse("client_create") not in page
    assert client.get(_create_url(world.client)).status_code == 200


def test_an_admin_may_add_the_client_right_there(client, world, unscoped):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("programme_new")).content.decode()
    assert reverse("client_create") in page
    assert _create_url(world.client) in page and _create_url(world.other_client) in page
    assert "Alleen een beheerder" not in page


def test_a_leader_without_clients_is_told_who_can_add_one(client, world, unscoped):
    lonely = UserFactory(role=Role.PROJECT_LEADER, organisation=world.consultancy)
    client.force_login(lonely)
    page = client.get(reverse("programme_new")).content.decode()
    assert "Je hebt nog geen opdrachtgevers." in page
    assert "Alleen een beheerder van het adviesbureau" in page
    clients = client.get(reverse("client_list")).content.decode()
    assert "Alleen een beheerder van het adviesbureau" in clients
    assert world.users[Role.CONSULTANCY_ADMIN].name in clients


def test_the_search_narrows_the_clients(client, world, unscoped):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("programme_new"), {"q": "woonstichting"}).content.decode()
    assert _create_url(world.other_client) in page and _create_url(world.client) not in page
    none = client.get(reverse("programme_new"), {"q": "xyz\x00"}).content.decode()
    assert "Geen opdrachtgever past bij de zoekopdracht." in none


def test_a_client_without_a_programme_is_a_real_page(client, world, unscoped):
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.get(reverse("client_detail", kwargs={"org": world.client.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nog geen programma voor deze opdrachtgever." in page
    assert f'href="{_create_url(world.client)}"' in page


def test_the_client_page_lists_its_programmes(client, world, programme):
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(reverse("client_detail", kwargs={"org": world.client.slug})).content.decode()
    detail = reverse(
        "programme_detail", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    assert f'href="{detail}"' in page and "Nog geen programma" not in page


def test_the_portal_of_a_client_without_a_programme_is_a_real_page(client, world, unscoped):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "portal_home", kwargs={"org": world.client.slug}
    )
    assert "Nog geen programma's" in response.content.decode()
