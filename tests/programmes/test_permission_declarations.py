"""Permissions are declared per method on the view, checked by the mixin before the handler
runs; a view that handles a method it declares nothing for does not even import."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from programmes.mixins import ByAction, PermissionMixin
from programmes.permissions import ROLE_PERMISSIONS, Perm, Role, roles_with


def test_a_post_handler_without_a_declared_permission_fails_at_import():
    with pytest.raises(TypeError, match="handles POST without a permission"):

        class Undeclared(PermissionMixin, View):
            permission = Perm.PROGRAMME_VIEW

            def post(self, request):
                return None

    with pytest.raises(TypeError, match="handles POST without a permission"):

        class UndeclaredForm(PermissionMixin, FormView):  # FormView posts
            permission = Perm.PROGRAMME_MANAGE


def test_a_view_must_declare_something():
    with pytest.raises(TypeError, match="must declare a permission"):

        class Nothing(PermissionMixin, View):
            def get(self, request):
                return None


def test_a_declared_post_imports_and_put_is_not_handled():
    class Declared(PermissionMixin, FormView):
        permission = Perm.PROGRAMME_VIEW
        method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    assert "put" not in Declared.http_method_names  # FormView would answer PUT like POST


def test_by_action_table_names_the_permission_of_each_posted_action():
    table = ByAction({"reward_user": Perm.REWARD_MANAGE}, default=Perm.PROGRAMME_MANAGE)
    factory = RequestFactory()
    assert table.for_request(factory.post("/", {"reward_user": "3"})) == Perm.REWARD_MANAGE
    assert table.for_request(factory.post("/", {"visits": "4"})) == Perm.PROGRAMME_MANAGE
    assert table.for_action("reward_user") == Perm.REWARD_MANAGE
    assert table.for_action(None) == Perm.PROGRAMME_MANAGE


def test_may_reads_the_declaration(world):
    class Page(PermissionMixin, View):
        permission = Perm.PORTAL_VIEW
        method_permissions = {
            "POST": ByAction({"reward_user": Perm.REWARD_MANAGE}, default=Perm.PROGRAMME_MANAGE)
        }

        def get(self, request):
            return None

        def post(self, request):
            return None

    view = Page()
    view.request = RequestFactory().get("/")
    view.request.user = world.users[Role.CLIENT_STAFF]
    assert view.may("GET")
    assert view.may("POST", action="reward_user")
    assert not view.may("POST")  # the effort obligation is the consultancy's
    view.request.user = world.users[Role.PROJECT_LEADER]
    assert view.may("POST") and view.may("POST", action="reward_user")


def test_decisions_have_their_own_permissions():
    """The client's decision on a candidate is not the signal-handling permission, and a
    member's own records are the member's alone."""
    assert set(roles_with(Perm.CANDIDATE_DECIDE)) == {Role.CONSULTANCY_ADMIN, Role.CLIENT_STAFF}
    assert roles_with(Perm.OWN_RECORDS_VIEW) == [Role.TEAM_MEMBER]
    assert Perm.SIGNAL_HANDLE not in ROLE_PERMISSIONS[Role.TEAM_MEMBER]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_methods_no_view_handles_answer_405(client, world, method):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    response = getattr(client, method)(reverse("client_create"))
    assert response.status_code == 405
    client.logout()
    assert getattr(client, method)(reverse("health")).status_code == 405


def test_candidate_decision_refused_to_the_project_leader(client, world):
    """The project leader sees the candidates in the portal but does not decide: a post is
    refused before the view reads it."""
    from django_scopes import scopes_disabled

    from programmes import services

    with scopes_disabled():
        programme = services.programme_create(
            actor=world.users[Role.PROJECT_LEADER],
            client=world.client,
            project_leaders=[world.users[Role.PROJECT_LEADER]],
            name="Noord",
            neighbourhood="Noord",
            municipality="Noordstad",
            start_date="2026-09-07",
        )
    url = reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["can_decide"]
    assert client.post(url, {"application": "1"}).status_code == 403
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(url)
    assert page.status_code == 200 and page.context["can_decide"]
