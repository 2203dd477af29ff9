"""A category's route points to a colleague of the client: the signal is assigned to them and
they are told; their portal list shows what is theirs with "Only assigned to me"."""

import pytest
from django.urls import reverse

from patrols.models_handoff import CategoryRoute, Department, HandoffChannel
from patrols.notifications import SIGNAL_ASSIGNED
from programmes.models import AuditEntry, Notification
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


def test_a_route_to_a_department_assigns_it_and_tells_its_members(
    world, team, login, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    one = categories[0]
    colleague = UserFactory(
        email="wijkbeheer@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    outsider = UserFactory(
        email="balie@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    client = login(staff)
    # The department and the route are set up on the hand-off settings page.
    settings_url = reverse("patrols:portal_handoff", kwargs={"org": world.client.slug})
    response = client.post(
        reverse("patrols:portal_handoff_department_create", kwargs={"org": world.client.slug}),
        {"department-name": "Wijkbeheer", "department-members": [staff.pk, colleague.pk]},
    )
    assert response.status_code == 302
    department = Department.objects.get(organisation=world.client)
    assert set(department.members.all()) == {staff, colleague}
    assert AuditEntry.objects.filter(action="department.created").exists()
    response = client.post(
        reverse("patrols:portal_handoff_route_create", kwargs={"org": world.client.slug}),
        {
            "channel": desk.pk,
            "programme": programme.pk,
            "category": one.pk,
            "assign_department": department.pk,
        },
    )
    route = CategoryRoute.objects.get(channel=desk)
    assert route.assign_department == department and route.assign_to is None
    page = client.get(settings_url).content.decode()
    assert "Wijkbeheer" in page and colleague.name in page
    assert page.count('id="id_name"') == 1  # the channel's; the department's is its own

    with django_capture_on_commit_callbacks(execute=True):
        routed = _report(programme, member, one, description="Lantaarnpaal kapot")
        other = _report(programme, member, categories[-1], description="Bankje beklad")
    routed.refresh_from_db()
    assert routed.assigned_department == department and routed.assigned_to is None
    notes = Notification.objects.filter(kind=SIGNAL_ASSIGNED)
    assert {n.recipient for n in notes} == {staff, colleague}
    assert all("Wijkbeheer" in n.title for n in notes)
    assert AuditEntry.objects.filter(
        action="signal.department_assigned", object_id=str(routed.pk)
    ).exists()

    signal_page = login(colleague).get(
        reverse("patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": routed.pk})
    )
    assert "<span data-department>Wijkbeheer</span>" in signal_page.content.decode()
    theirs = _list(login(colleague), world, my_department="on").content.decode()
    assert "Lantaarnpaal kapot" in theirs and "Bankje beklad" not in theirs
    nothing = _list(login(outsider), world, my_department="on").content.decode()
    assert "Lantaarnpaal kapot" not in nothing
    assert other.pk  # the other category's signal went nowhere

    # Removing the department leaves the signal, without it.
    client = login(staff)
    client.post(
        reverse(
            "patrols:portal_handoff_department_delete",
            kwargs={"org": world.client.slug, "department_pk": department.pk},
        )
    )
    routed.refresh_from_db()
    assert routed.assigned_department is None
    route.refresh_from_db()
    assert route.assign_department is None


def test_departments_are_the_clients_own(world, team, other_world, login):
    from patrols.services import handoff as handoff_service

    staff = world.users[Role.CLIENT_STAFF]
    theirs = handoff_service.department_create(
        actor=other_world.users[Role.CLIENT_STAFF],
        organisation=other_world.client,
        name="Wijkbeheer",
        members=[],
    )
    client = login(staff)
    url = reverse(
        "patrols:portal_handoff_department_delete",
        kwargs={"org": world.client.slug, "department_pk": theirs.pk},
    )
    assert client.post(url).status_code == 404
    assert Department.objects.filter(pk=theirs.pk).exists()
    # A member from another organisation is refused with a message, not an error page.
    response = client.post(
        reverse("patrols:portal_handoff_department_create", kwargs={"org": world.client.slug}),
        {
            "department-name": "Balie",
            "department-members": [other_world.users[Role.CLIENT_STAFF].pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Department.objects.filter(organisation=world.client).exists()
    # The same name twice is refused.
    handoff_service.department_create(
        actor=staff, organisation=world.client, name="Balie", members=[]
    )
    response = client.post(
        reverse("patrols:portal_handoff_department_create", kwargs={"org": world.client.slug}),
        {"department-name": "balie"},
        follow=True,
    )
    assert "There is a department of that name already." in response.content.decode() or (
        "Er is al een afdeling" in response.content.decode()
    )
    assert Department.objects.filter(organisation=world.client).count() == 1
