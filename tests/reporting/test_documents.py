"""The client's documents page: what shows (ready documents only, a kind's own rule, the
programmes the user reads), certificates by holder, downloads through the base's view, another
client's page and documents out of reach, filters with bad values, pagination and a query
count that does not grow with the documents, and the portal's links to it."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes import registry, services
from programmes.models import Document
from programmes.permissions import Role
from tests.factories import UserFactory
from trainings.models import Certificate

STAFF = Role.CLIENT_STAFF


def _programme(world, name, leader=None):
    leader = leader or world.users[Role.PROJECT_LEADER]
    return services.programme_create(
        actor=leader,
        client=world.client,
        project_leaders=[leader],
        name=name,
        neighbourhood="Noord",
        municipality="Noordstad",
        start_date=dt.date(2026, 1, 5),
    )


def _document(programme, kind="plan", status=Document.Status.READY, **fields):
    document = Document.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind=kind,
        status=status,
        **fields,
    )
    if status == Document.Status.READY:
        document.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return document


def _certificate(programme, holder, status=Document.Status.READY, **fields):
    user = UserFactory(role=Role.TEAM_MEMBER, organisation=programme.organisation, name=holder)
    document = _document(programme, "certificate", status, owner=user, ref="0")
    return Certificate.objects.create(
        organisation=programme.organisation,
        programme=programme,
        user=user,
        holder_name=holder,
        issued_on=fields.pop("issued_on", dt.date(2026, 10, 1)),
        document=document,
        **fields,
    )


def _page(client, world, role=STAFF, **params):
    client.force_login(world.users[role])
    return client.get(reverse("reporting:documents", kwargs={"org": world.client.slug}), params)


@pytest.fixture
def draft_kind():
    """A kind that lets the client see only some of its ready documents (a periodic report
    once sent): here those whose ref says "sent"."""
    kind = registry.register_document_kind(
        registry.DocumentKind(
            code="test_report",
            label="Testrapport",
            builder=lambda document: None,
            client_visible=lambda: Q(ref="sent"),
        )
    )
    yield kind
    registry.unregister_document_kind(kind.code)


def test_only_ready_documents_show_and_a_kind_decides_on_its_own(
    world, unscoped, client, draft_kind
):
    programme = _programme(world, "Noord")
    ready = _document(programme, "plan")
    pending = _document(programme, "plan", Document.Status.PENDING)
    failed = _document(programme, "plan", Document.Status.FAILED)
    survey = _document(programme, "survey_report", ref="1")
    sent = _document(programme, "test_report", ref="sent")
    draft = _document(programme, "test_report", ref="draft")
    unknown = _document(programme, "gone_kind")  # no app registers this kind any more

    page = _page(client, world).text
    urls = set(re.findall(r"/documents/[\w-]+/\d+/(\d+)/download/", page))
    assert urls == {str(d.pk) for d in (ready, survey, sent)}
    assert not {str(d.pk) for d in (pending, failed, draft, unknown)} & urls
    assert "Plan van aanpak" in page and "Testrapport" in page


def test_a_listed_document_downloads_through_the_base_view(world, unscoped, client):
    programme = _programme(world, "Noord")
    document = _document(programme, "plan")
    page = _page(client, world).text
    url = re.search(r'href="(/documents/[^"]+/download/)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert str(document.pk) in url


def test_certificates_are_listed_by_holder(world, unscoped, client):
    programme = _programme(world, "Noord")
    _certificate(programme, "Bram de Vries", issued_on=dt.date(2026, 9, 1), title="EHBO")
    _certificate(programme, "Anna Jansen")
    _certificate(programme, "Bram de Vries", issued_on=dt.date(2026, 10, 2))
    _certificate(programme, "Carla Pending", status=Document.Status.PENDING)
    _certificate(programme, "Dirk Failed", status=Document.Status.FAILED)
    _certificate(programme, "Eva Revoked", revoked_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))

    page = _page(client, world, show="certificates").text
    holders = re.findall(r'<h3 class="h6 mb-1">([^<]+)</h3>', page)
    assert holders == ["Anna Jansen", "Bram de Vries"]  # each once, by name
    bram = page.split("Bram de Vries</h3>")[1]
    assert bram.index("2 oktober 2026") < bram.index("1 september 2026")  # newest first
    assert len(re.findall(r"/download/", page)) == 3
    # The documents list does not repeat them.
    assert "/download/" not in _page(client, world).text


def test_project_leader_sees_only_the_documents_of_programmes_they_lead(world, unscoped, client):
    other_leader = UserFactory(
        email="pl2@noord.example", role=Role.PROJECT_LEADER, organisation=world.consultancy
    )
    other_leader.assigned_clients.set([world.client])
    mine = _document(_programme(world, "Mijn programma"), "plan")
    theirs = _document(_programme(world, "Hun programma", leader=other_leader), "plan")
    page = _page(client, world, role=Role.PROJECT_LEADER).text
    assert f"/{mine.pk}/download/" in page
    assert f"/{theirs.pk}/download/" not in page
    assert "Hun programma" not in page  # not among the filter's choices either
    # The client's staff see both.
    page = _page(client, world).text
    assert f"/{mine.pk}/download/" in page and f"/{theirs.pk}/download/" in page


def test_another_clients_page_and_documents_are_a_404(world, other_world, unscoped, client):
    programme = _programme(world, "Noord")
    document = _document(programme, "plan")
    client.force_login(other_world.users[STAFF])
    assert (
        client.get(reverse("reporting:documents", kwargs={"org": world.client.slug})).status_code
        == 404
    )
    download = reverse(
        "document_download",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "document_pk": document.pk},
    )
    assert client.get(download).status_code == 404
    # The client's own staff cannot reach the other client of the same consultancy either.
    client.force_login(world.users[STAFF])
    url = reverse("reporting:documents", kwargs={"org": world.other_client.slug})
    assert client.get(url).status_code == 404


def test_filters_by_programme_and_kind(world, unscoped, client):
    north = _programme(world, "Noord")
    south = _programme(world, "Zuid")
    plan = _document(north, "plan")
    flyer = _document(north, "recruitment_flyer")
    other = _document(south, "plan")
    page = _page(client, world, programme=north.pk).text
    assert f"/{plan.pk}/download/" in page and f"/{flyer.pk}/download/" in page
    assert f"/{other.pk}/download/" not in page
    page = _page(client, world, programme=north.pk, kind="recruitment_flyer").text
    assert f"/{flyer.pk}/download/" in page and f"/{plan.pk}/download/" not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"programme": "abc"}, "Dat programma hoort niet bij jou"),
        ({"programme": "999999"}, "Dat programma hoort niet bij jou"),
        ({"programme": "1" * 40}, "Dat programma hoort niet bij jou"),
        ({"kind": "bogus"}, "Die soort bestaat niet"),
        ({"kind": "certificate"}, "Die soort bestaat niet"),  # certificates: their own list
        ({"show": "everything"}, "Die lijst bestaat niet"),
        ({"page": "abc"}, None),
        ({"page": "99999"}, None),
        ({"kind": "pl\x00an"}, None),
    ],
)
def test_bad_filter_values_are_named_and_ignored(world, unscoped, client, params, message):
    document = _document(_programme(world, "Noord"), "plan")
    response = _page(client, world, **params)
    assert response.status_code in (200, 400)  # a NUL byte may be refused before the view
    if message:
        assert response.status_code == 200
        assert message in response.text
        assert f"/{document.pk}/download/" in response.text  # the filter is left out


def test_another_clients_programme_in_the_filter_is_refused(world, other_world, unscoped, client):
    _document(_programme(world, "Noord"), "plan")
    theirs = services.programme_create(
        actor=other_world.users[Role.PROJECT_LEADER],
        client=other_world.client,
        project_leaders=[other_world.users[Role.PROJECT_LEADER]],
        name="Elders",
        neighbourhood="Zuid",
        municipality="Zuidstad",
        start_date=dt.date(2026, 1, 5),
    )
    hidden = _document(theirs, "plan")
    page = _page(client, world, programme=theirs.pk).text
    assert "Dat programma hoort niet bij jou" in page
    assert f"/{hidden.pk}/download/" not in page


def test_pagination_and_query_count_constant_from_10_to_200_documents(world, unscoped, client):
    programme = _programme(world, "Noord")
    for _ in range(10):
        _document(programme, "plan")
    _page(client, world)  # warm: session, translations
    with CaptureQueriesContext(connection) as small:
        assert _page(client, world).status_code == 200
    Document.objects.bulk_create(
        Document(
            organisation=programme.organisation,
            programme=programme,
            kind="plan",
            status=Document.Status.READY,
            file="documents/plan.pdf",
        )
        for _ in range(190)
    )
    with CaptureQueriesContext(connection) as large:
        page = _page(client, world).text
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert "Pagina 1 van 4" in page
    assert len(re.findall(r"/download/", _page(client, world, page=4).text)) == 50


def test_portal_links_lead_to_the_documents(world, unscoped, client):
    programme = _programme(world, "Noord")
    client.force_login(world.users[STAFF])
    url = reverse("reporting:documents", kwargs={"org": world.client.slug})
    home = client.get(reverse("portal_home", kwargs={"org": world.client.slug})).text
    assert f'href="{url}">Documenten</a>' in home
    page = client.get(
        reverse("portal_programme", kwargs={"org": world.client.slug, "programme_pk": programme.pk})
    ).text
    assert f'href="{url}?programme={programme.pk}"' in page
    # That link opens the page with the programme chosen.
    chosen = client.get(url, {"programme": programme.pk}).text
    assert f'<option value="{programme.pk}" selected>' in chosen
