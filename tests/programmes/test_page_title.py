"""Tab titles: the page's own title, then the product, with a separator between them."""

from programmes.permissions import Role
from programmes.templatetags.page_title import tab_title


def test_tab_title_filter():
    assert (
        tab_title("  Plan van aanpak ·\n Team Noord ")
        == "Plan van aanpak · Team Noord · BewonersTeam"
    )
    assert tab_title("") == "BewonersTeam"


def test_pages_have_a_separated_title(client, world):
    login = client.get("/accounts/login/").content.decode()
    assert "<title>Inloggen · BewonersTeam</title>" in login
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get("/workspace/").content.decode()
    assert "<title>Werkplek · BewonersTeam</title>" in page
