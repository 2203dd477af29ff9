"""A category's route points to a colleague of the client: the signal is assigned to them and
they are told; their portal list shows what is theirs with "Only assigned to me"."""

import pytest
from django.urls import reverse

from patrols.models_handoff import HandoffChannel
from patrols.notifications import SIGNAL_ASSIGNED
from programmes.models import Notification
from programmes.permissions import Role

from ..factories import UserFactory
from .test_handoff import _channel, _report, _route

pytestmark = pytest.mark.django_db


def _list(client, world, **query):
    return client.get(reverse("patrols:portal_signals", kwargs={"org": world.client.slug}), query)


def test_a_route_assigns_and_tells_the_colleague_whose_list_filters_on_it(
    world, team, login, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    one = categories[0]
    two = next(c for c in categories if one.pk not in (c.pk, c.parent_id) and c.pk != one.parent_id)
    colleague = UserFactory(
        email="wijkbeheer@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    _route(world, desk, programme, one, assign_to=colleague)
    with django_capture_on_commit_callbacks(execute=True):
        routed = _report(programme, member, one, description="Lantaarnpaal kapot")
        other = _report(programme, member, two, description="Bankje beklad")
    routed.refresh_from_db()
    other.refresh_from_db()
    assert routed.assigned_to == colleague and other.assigned_to is None
    (note,) = Notification.objects.filter(kind=SIGNAL_ASSIGNED)
    assert note.recipient == colleague
    assert note.url.endswith(f"/signals/{routed.pk}/")

    client = login(colleague)
    everything = _list(client, world).content.decode()
    assert "Lantaarnpaal kapot" in everything and "Bankje beklad" in everything
    assert 'name="mine"' in everything
    mine = _list(client, world, mine="on").content.decode()
    assert "Lantaarnpaal kapot" in mine and "Bankje beklad" not in mine
    # Another colleague has nothing of their own.
    client = login(world.users[Role.CLIENT_STAFF])
    theirs = _list(client, world, mine="on").content.decode()
    assert "Lantaarnpaal kapot" not in theirs and "Bankje beklad" not in theirs


def test_only_the_clients_staff_have_the_filter(world, team, login):
    """Signals are assigned to the client's staff: the project leader has no such filter,
    and a posted one is ignored (the whole list), never an error."""
    programme, member, categories = team
    _report(programme, member, categories[0], description="Lantaarnpaal kapot")
    client = login(world.users[Role.PROJECT_LEADER])
    page = _list(client, world, mine="on")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="mine"' not in html
    assert "Lantaarnpaal kapot" in html
