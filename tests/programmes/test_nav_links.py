"""Apps add entries to the main navigation through the registry (`register_nav_link`): each
entry shows to the roles holding its permission, marks itself current on its page, and goes
away when its registration does."""

import re

import pytest
from django.urls import reverse

from programmes import registry
from programmes.permissions import Perm, Role


@pytest.fixture
def audit_entry():
    """A navigation entry for the audit log (admins only), registered for one test."""
    link = registry.register_nav_link(
        registry.NavLink("Test entry", "audit_log", Perm.AUDIT_VIEW, order=999)
    )
    yield link
    registry.unregister_nav_link(link.url_name)


def _nav(html: str) -> str:
    return re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.CONSULTANCY_ADMIN, True),
        (Role.PROJECT_LEADER, False),
        (Role.CLIENT_STAFF, False),
        (Role.TEAM_MEMBER, False),
    ],
)
def test_an_entry_shows_to_the_roles_holding_its_permission(world, login, audit_entry, role, shown):
    client = login(world.users[role])
    nav = _nav(client.get(reverse("home"), follow=True).text)
    assert ("Test entry" in nav) is shown


def test_the_entry_is_current_on_its_own_page_and_gone_when_unregistered(world, login, audit_entry):
    client = login(world.users[Role.CONSULTANCY_ADMIN])
    nav = _nav(client.get(reverse("audit_log")).text)
    href = reverse("audit_log")
    assert f'href="{href}" aria-current="page">Test entry</a>' in nav
    nav = _nav(client.get(reverse("workspace")).text)
    assert f'href="{href}">Test entry</a>' in nav
    registry.unregister_nav_link("audit_log")
    assert "Test entry" not in _nav(client.get(reverse("workspace")).text)
    registry.register_nav_link(audit_entry)
