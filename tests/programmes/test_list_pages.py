"""The workspace and the users page at size: the plan status and phase come from SQL and equal
what `plan_status` works out in Python, both lists are paginated with their filters kept in the
page links, the number of queries does not grow with the rows, and a row's action still works
from a later page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import Milestone, Phase, Programme, ProgressEvent
from programmes.permissions import Role
from programmes.selectors import programme_overview, programme_status, with_plan_status

from ..factories import UserFactory, add_invitees, meeting_soon


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), response


def _bare_programmes(world, n, *, start=0):
    """`n` programmes of the world's client without a plan (their phase: preparation)."""
    pl = world.users[Role.PROJECT_LEADER]
    made = []
    for i in range(start, start + n):
        p = Programme.objects.create(
            organisation=world.client,
            name=f"Wijkteam {i:03d}",
            neighbourhood="Wijk",
            municipality="Stad",
            start_date=dt.date(2026, 6, 1),
        )
        p.project_leaders.add(pl)
        made.append(p)
    return made


def test_phase_in_sql_equals_plan_status(world, unscoped):
    """Programmes in many states (no plan, a fresh plan, some phases ticked, all ticked,
    progress events ahead of the ticks, overdue milestones): the SQL figures equal Python's."""
    pl = world.users[Role.PROJECT_LEADER]
    programmes = []
    for i in range(7):
        p = services.programme_create(
            actor=pl,
            client=world.client,
            project_leaders=[pl],
            name=f"Team {i}",
            neighbourhood="Wijk",
            municipality="Stad",
            start_date=dt.date(2026, 1, 5) if i % 2 else dt.date(2027, 6, 1),
        )
        if i:
            services.plan_generate(actor=pl, programme=p)
        programmes.append(p)
    now = timezone.now()
    order = list(Phase.values)
    # 2: the first two phases done; 3: everything done; 4: a progress event ahead of the
    # ticks; 5: an event behind the ticks; 6: a middle phase ticked but an earlier one open.
    Milestone.objects.filter(programme=programmes[2], phase__in=order[:2]).update(done_at=now)
    Milestone.objects.filter(programme=programmes[3]).update(done_at=now)
    for p, event in ((programmes[4], "team_trained"), (programmes[5], "team_selected")):
        ProgressEvent.objects.create(
            organisation=p.organisation, programme=p, event=event, reached_at=now
        )
    Milestone.objects.filter(programme=programmes[5], phase__in=order[:5]).update(done_at=now)
    Milestone.objects.filter(programme=programmes[6], phase=Phase.TRAINING).update(done_at=now)
    annotated = {p.pk: p for p in with_plan_status(Programme.objects.all())}
    overview = programme_overview(programmes)
    phases = set()
    for p in programmes:
        expected = programme_status(p)
        got = annotated[p.pk]
        assert (got.plan_total, got.plan_done, got.plan_overdue) == (
            expected.total,
            expected.done,
            expected.overdue,
        ), p.name
        assert order[got.plan_phase_rank] == expected.phase, p.name
        status = overview[p.pk]
        assert (status.total, status.done, status.overdue, status.phase) == (
            expected.total,
            expected.done,
            expected.overdue,
            expected.phase,
        )
        phases.add(expected.phase)
    assert len(phases) >= 4  # the data set really covers several phases
    assert any(overview[p.pk].overdue for p in programmes)


def test_workspace_pages_keep_the_filters(client, world, unscoped):
    client.force_login(world.users[Role.PROJECT_LEADER])
    _bare_programmes(world, 1)
    url = f"{reverse('workspace')}?client={world.client.slug}&phase=preparation"
    small, _ = _count(client, url)
    _bare_programmes(world, 60, start=1)
    large, response = _count(client, url)
    assert large == small, f"{small} queries with 1 programme, {large} with 61"
    html = response.content.decode()
    assert html.count("Wijkteam ") == 50
    assert f"?client={world.client.slug}&amp;phase=preparation&amp;page=2" in html
    _, response = _count(client, f"{url}&page=2")
    html = response.content.decode()
    assert "Wijkteam 060" in html and html.count("Wijkteam ") == 11
    # another phase filters them all out, in SQL
    _, response = _count(client, f"{reverse('workspace')}?phase=guidance")
    assert "Wijkteam" not in response.content.decode()


def _staff(world, n, *, start=0):
    return [
        UserFactory(
            role=Role.CLIENT_STAFF,
            organisation=world.client,
            name=f"Medewerker {i:03d}",
            email=f"medewerker{i:03d}@gemeente.example",
        )
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize("query", ["", "?role=client_staff&org={org}", "?q=medew"])
def test_users_page_queries_do_not_grow(client, world, unscoped, query):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse("user_list") + query.format(org=world.client.slug)
    _staff(world, 1)
    small, _ = _count(client, url)
    _staff(world, 80, start=1)
    large, response = _count(client, url)
    assert large == small, f"{url}: {small} queries at few accounts, {large} at 80 more"
    assert len(response.context["page"].object_list) == 50


def test_users_page_filters_and_pages(client, world, unscoped):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    people = _staff(world, 60)
    url = f"{reverse('user_list')}?role=client_staff&org={world.client.slug}"
    html = client.get(url).content.decode()
    assert f"?role=client_staff&amp;org={world.client.slug}&amp;page=2" in html
    # the search finds names and e-mail addresses by their start
    found = client.get(reverse("user_list") + "?q=MEDEWERKER05").context["page"].object_list
    assert [p.name for p in found] == [f"Medewerker {i:03d}" for i in range(50, 60)]
    found = client.get(reverse("user_list") + "?q=medewerker059@").context["page"]
    assert [p.pk for p in found.object_list] == [people[59].pk]
    assert not client.get(reverse("user_list") + "?q=werker").context["page"].object_list
    assert (
        not client.get(reverse("user_list") + "?role=team_member&q=Medewerker")
        .context["page"]
        .object_list
    )
    # bad input gives a page, not an error
    for bad in ("?page=abc", "?page=99999", "?role=nonsense", "?org=nope", "?q=%00x"):
        assert client.get(reverse("user_list") + bad).status_code == 200


def test_block_from_page_two_comes_back_there(client, world, unscoped):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    people = _staff(world, 60)
    url = f"{reverse('user_list')}?org={world.client.slug}&page=2"
    html = client.get(url).content.decode()
    last = people[-1]
    assert last.email in html
    response = client.post(
        reverse("user_block", kwargs={"user_pk": last.pk}), {"active": "0", "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    last.refresh_from_db()
    assert not last.is_active
    # a foreign address is not followed
    response = client.post(
        reverse("user_block", kwargs={"user_pk": last.pk}),
        {"active": "1", "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == reverse("user_list")


def test_client_page_lists_programmes_and_accounts_page_by_page(client, world, unscoped):
    """A corporation with dozens of programmes and thousands of accounts: the client's page
    shows a page of each (their own `?programmes=` and `?people=`), the queries do not grow,
    each page's team members are in the read log, and the links reach every row."""
    from programmes.models import ReadEntry

    url = reverse("client_detail", kwargs={"org": world.client.slug})
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    _bare_programmes(world, 2)
    for i in range(3):
        UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name=f"Bewoner {i:03d}")
    client.get(url)
    small, _ = _count(client, url)
    _bare_programmes(world, 60, start=2)
    for i in range(3, 70):
        UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name=f"Bewoner {i:03d}")
    large, response = _count(client, url)
    assert large == small, f"{small} queries with a few rows, {large} with many"
    html = response.content.decode()
    assert "Wijkteam 049" in html and "Wijkteam 050" not in html  # 50 a page, by name
    assert "?programmes=2" in html and "?people=2" in html
    accounts = world.client.members.count()
    assert f"{accounts} accounts" in html
    # The second page of accounts keeps the programmes' page and shows the rest by name.
    second = client.get(f"{url}?programmes=2&people=2").content.decode()
    assert "Wijkteam 061" in second and "Wijkteam 010" not in second
    assert "Bewoner 069" in second and "Bewoner 001" not in second
    assert "programmes=2&amp;people=1" in second  # the way back keeps the other list's page
    logged = set(
        ReadEntry.objects.filter(
            what=ReadEntry.What.MEMBER, reader=world.users[Role.CONSULTANCY_ADMIN]
        ).values_list("subject_id", flat=True)
    )
    assert {
        str(pk)
        for pk in world.client.members.filter(role=Role.TEAM_MEMBER).values_list("pk", flat=True)
    } <= logged
    # Page numbers that are no page still answer with a page.
    assert client.get(f"{url}?people=x&programmes=999").status_code == 200


def test_clients_list_is_paginated(client, world, unscoped):
    from programmes.models import Organisation

    for i in range(55):
        Organisation.objects.create(
            name=f"Corporatie {i:03d}",
            slug=f"corporatie-{i:03d}",
            kind="housing_corporation",
            consultancy=world.consultancy,
        )
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse("client_list")
    first = client.get(url).content.decode()
    assert "?page=2" in first and "Pagina 1 van 2" in first
    second = client.get(f"{url}?page=2&q=Corporatie").content.decode()
    assert "Corporatie 054" in second and "Corporatie 000" not in second
    assert "?page=1&amp;q=Corporatie" in second  # the search kept


def test_meeting_page_lists_its_invitees_a_page_at_a_time(client, world, unscoped):
    """A meeting a thousand were invited to: its page shows a page of them, the seats taken
    and the waiting list counted by the database, and registering attendance on a later page
    without JavaScript comes back to that page."""
    from programmes.models import Invitee

    (programme,) = _bare_programmes(world, 1)
    meeting = meeting_soon(programme)
    url = reverse(
        "meeting_detail",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "meeting_pk": meeting.pk},
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    add_invitees(meeting, 4)
    client.get(url)
    small, _ = _count(client, url)
    add_invitees(meeting, 126, start=4)
    large, response = _count(client, url)
    assert large == small, f"{small} queries with 4 invitees, {large} with 130"
    everyone = list(Invitee.objects.filter(meeting=meeting))
    taken = sum(i.seats for i in everyone if i.status == "accepted")
    waiting = sum(1 for i in everyone if i.status == "waitlisted")
    assert response.context["taken"] == taken and response.context["waiting"] == waiting
    assert f"{waiting} op de wachtlijst" in response.content.decode()
    rows = response.context["invitees"].object_list
    assert len(rows) == 50 and [i.status for i in rows] == sorted(i.status for i in rows)
    third = client.get(f"{url}?page=3")
    last = third.context["invitees"].object_list[-1]
    assert 'name="page" value="3"' in third.content.decode()
    attendance = reverse(
        "invitee_attendance",
        kwargs={
            "org": world.client.slug,
            "programme_pk": programme.pk,
            "meeting_pk": meeting.pk,
            "invitee_pk": last.pk,
        },
    )
    answer = client.post(attendance, {"attended": "1", "page": "3"})
    assert answer.status_code == 302 and answer["Location"] == f"{url}?page=3"
    last.refresh_from_db()
    assert last.attended is True
    assert 'aria-pressed="true"' in client.get(answer["Location"]).content.decode()
    # A page value that is no page number goes back to the first page.
    assert client.post(attendance, {"attended": "0", "page": "3;x"})["Location"] == url
