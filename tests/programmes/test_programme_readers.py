"""A project leader reads only the programmes they lead, in the workspace and in the portal
alike: another programme of a client they are assigned to is a 404 on its portal pages, and
its signals are in none of their lists, maps or counts. The consultancy admin and the
client's staff read every programme of the client, as before."""

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from patrols import selectors as patrol_selectors
from patrols import services as patrols
from patrols.services.photo_review import signal_photo_clear
from programmes import selectors, services
from programmes.permissions import Role

from ..factories import UserFactory


def _signal(programme, member, category, description):
    signal, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=category,
        description=description,
        reported_at=timezone.now(),
        street="Lindelaan",
        latitude=52.09,
        longitude=5.12,
    )
    return signal


@pytest.fixture
def two_programmes(world, team):
    """`team`'s programme (led by `world`'s project leader) with a signal and a photo, and a
    second programme of the same client led by another project leader (also assigned to the
    client), with a signal of its own."""
    programme, member, categories = team
    signal = _signal(programme, member, categories[0], "Matras bij de Lindelaan")
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(jpeg, format="JPEG")
    photo, _ = patrols.signal_photo_add(
        actor=member,
        signal=signal,
        uuid=uuid.uuid4(),
        upload=SimpleUploadedFile("p.jpg", jpeg.getvalue(), content_type="image/jpeg"),
    )
    # Processed and reviewed: the client's staff see a photo only then.
    patrols.signal_photo_process(photo_id=photo.pk)
    photo.refresh_from_db()
    signal_photo_clear(actor=world.users[Role.PROJECT_LEADER], photo=photo)
    other_pl = UserFactory(role=Role.PROJECT_LEADER, organisation=world.consultancy)
    other_pl.assigned_clients.set([world.client])
    other = services.programme_create(
        actor=other_pl,
        client=world.client,
        project_leaders=[other_pl],
        name="Team Zuid",
        neighbourhood="Zuidwijk",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    roster = services.team_member_add(actor=other_pl, programme=other, user=member)
    services.team_member_set_ready(actor=other_pl, member=roster, ready=True)
    other_category = patrols.categories_ensure(programme=other)[0]
    other_signal = _signal(other, member, other_category, "Fietswrak bij de kerk")
    return {
        "programme": programme,
        "signal": signal,
        "photo": photo,
        "other_pl": other_pl,
        "other": other,
        "other_signal": other_signal,
    }


def _portal_urls(world, data):
    org = world.client.slug
    programme_pk, signal_pk = data["programme"].pk, data["signal"].pk
    return [
        reverse("portal_programme", kwargs={"org": org, "programme_pk": programme_pk}),
        reverse("recruitment:portal_candidates", kwargs={"org": org, "programme_pk": programme_pk}),
        reverse("patrols:portal_effort", kwargs={"org": org, "programme_pk": programme_pk}),
        reverse("patrols:portal_signal", kwargs={"org": org, "signal_pk": signal_pk}),
        reverse(
            "patrols:portal_signal_photo",
            kwargs={"org": org, "signal_pk": signal_pk, "photo_pk": data["photo"].pk},
        ),
    ]


def _listed(client, world):
    """What the portal's signal list, map and home show: (list page, map ids, home page)."""
    org = world.client.slug
    page = client.get(reverse("patrols:portal_signals", kwargs={"org": org}))
    assert page.status_code == 200
    data = client.get(reverse("patrols:portal_signal_map", kwargs={"org": org}))
    assert data.status_code == 200
    home = client.get(reverse("portal_home", kwargs={"org": org}))
    assert home.status_code == 200
    return (
        page.content.decode(),
        {row["id"] for row in data.json()["signals"]},
        home.content.decode(),
    )


def test_project_leader_not_on_the_programme_gets_404_on_its_portal_pages(
    client, world, two_programmes
):
    client.force_login(two_programmes["other_pl"])
    for url in _portal_urls(world, two_programmes):
        assert client.get(url).status_code == 404, url
    # ... and cannot post to them either (the effort page's reward, the signal's follow-up).
    effort, signal = _portal_urls(world, two_programmes)[2:4]
    assert client.post(effort, {"reward_user": "1"}).status_code == 404
    assert client.post(signal, {"status": "closed"}).status_code in (403, 404)


def test_project_leader_not_on_the_programme_does_not_see_its_signals(
    client, world, two_programmes, unscoped
):
    other_pl = two_programmes["other_pl"]
    client.force_login(other_pl)
    page, on_map, home = _listed(client, world)
    assert "Matras bij de Lindelaan" not in page
    assert "Fietswrak bij de kerk" in page  # the programme they lead
    assert on_map == {two_programmes["other_signal"].pk}
    assert two_programmes["programme"].name not in home
    assert two_programmes["other"].name in home
    counts = patrol_selectors.signal_counts_for_client(user=other_pl, organisation=world.client)
    assert counts["open"] == 1
    _, programmes = patrol_selectors.signal_filter_choices(user=other_pl, organisation=world.client)
    assert list(programmes) == [two_programmes["other"]]
    assert (
        selectors.readable_programmes(user=other_pl, organisation=world.client).get()
        == (two_programmes["other"])
    )


def test_project_leader_of_the_programme_reads_it(client, world, two_programmes, unscoped):
    leader = world.users[Role.PROJECT_LEADER]
    client.force_login(leader)
    for url in _portal_urls(world, two_programmes):
        assert client.get(url).status_code == 200, url
    page, on_map, _ = _listed(client, world)
    assert "Matras bij de Lindelaan" in page
    assert "Fietswrak bij de kerk" not in page
    assert on_map == {two_programmes["signal"].pk}
    counts = patrol_selectors.signal_counts_for_client(user=leader, organisation=world.client)
    assert counts["open"] == 1


@pytest.mark.parametrize("role", [Role.CONSULTANCY_ADMIN, Role.CLIENT_STAFF])
def test_admin_and_client_staff_read_every_programme_of_the_client(
    client, world, two_programmes, unscoped, role
):
    user = world.users[role]
    client.force_login(user)
    for url in _portal_urls(world, two_programmes):
        assert client.get(url).status_code == 200, (role, url)
    page, on_map, home = _listed(client, world)
    assert "Matras bij de Lindelaan" in page and "Fietswrak bij de kerk" in page
    assert on_map == {two_programmes["signal"].pk, two_programmes["other_signal"].pk}
    assert two_programmes["programme"].name in home and two_programmes["other"].name in home
    counts = patrol_selectors.signal_counts_for_client(user=user, organisation=world.client)
    assert counts["open"] == 2
    # No narrowing for those who read the whole client: the list keeps its plain query.
    signals = patrol_selectors.signals_for_client(user=user, organisation=world.client)
    assert "IN (SELECT" not in str(signals.query).upper()


def test_project_leader_workspace_reads_only_their_programmes(client, world, two_programmes):
    """The workspace decides the same way: the programme page of another leader's
    programme is a 404, their own opens."""
    client.force_login(two_programmes["other_pl"])
    kwargs = {"org": world.client.slug}
    theirs = reverse(
        "programme_detail", kwargs={**kwargs, "programme_pk": two_programmes["other"].pk}
    )
    not_theirs = reverse(
        "programme_detail", kwargs={**kwargs, "programme_pk": two_programmes["programme"].pk}
    )
    assert client.get(theirs).status_code == 200
    assert client.get(not_theirs).status_code == 404
