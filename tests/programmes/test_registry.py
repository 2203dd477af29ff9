"""The apps plug into the base (`programmes.registry`): programme tabs, portal links, the team
member's home and document kinds are what the apps registered, shown to whoever may open them,
in the registered order; taking a registration away takes its tab or link away."""

import re
from dataclasses import replace

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import translation
from django_scopes import scopes_disabled

from programmes import registry, services
from programmes.models import Document
from programmes.models.documents import PLAN_OF_APPROACH
from programmes.permissions import Perm, Role
from programmes.templatetags.registered import visible_portal_links, visible_programme_tabs
from recruitment.documents import RECRUITMENT_FLYER, SURVEY_REPORT
from trainings.documents import CERTIFICATE

# The tabs in the order the apps register them: the base first and last, the apps between.
TAB_ORDER = [
    "programme_detail",
    "programme_intake",
    "programme_plan",
    "recruitment:programme_selection",
    "recruitment:programme_campaign",
    "recruitment:survey_list",
    "trainings:programme_trainings",
    "programme_team",
    "programme_board",
    "patrols:programme_rounds",
    "patrols:programme_effort",
    "patrols:programme_categories",
    "patrols:programme_handoff",
    "reporting:workspace_dashboard",
    "reporting:programme_reports",
    "programme_evaluations",
    "programme_actions",
    "programme_outbox",
]


@pytest.fixture
def removed_tab():
    """Take the Effort tab away for one test and put it back after."""
    tab = registry.unregister_programme_tab("patrols:programme_effort")
    assert tab is not None
    yield tab
    registry.register_programme_tab(tab)


@pytest.fixture
def removed_link():
    """Take the programme's candidates link away for one test and put it back after."""
    link = registry.unregister_portal_link("recruitment:portal_candidates")
    assert link is not None
    yield link
    registry.register_portal_link(link)


@pytest.fixture
def no_team_home():
    """No app offers team members a home, for one test."""
    home = registry.unregister_team_home()
    assert home is not None
    yield
    registry.register_team_home(home)


@pytest.fixture
def extra_kind():
    """A document kind a test registers (and takes away again)."""
    kind = registry.register_document_kind(
        registry.DocumentKind(
            code="test_leaflet",
            label="Test leaflet",
            builder=lambda document: ("pdf/plan.html", {}, "nl"),
            permission=Perm.PROGRAMME_MANAGE,
        )
    )
    yield kind
    registry.unregister_document_kind(kind.code)


def _kwargs(programme):
    return {"org": programme.organisation.slug, "programme_pk": programme.pk}


def _tab_list(html: str) -> list[tuple[str, bool]]:
    """(href, current) of every tab in the page's programme tab list."""
    found = re.search(r'<ul class="nav nav-tabs mb-3">(.*?)</ul>', html, re.S)
    if found is None:
        return []
    return [
        (href, bool(current))
        for current, href in re.findall(
            r'<a class="nav-link( active" aria-current="page)?" href="([^"]+)"', found.group(1)
        )
    ]


def _urls(names, programme):
    return [reverse(name, kwargs=_kwargs(programme)) for name in names]


def test_the_registered_order_is_the_page_order(world, programme, login):
    client = login(world.users[Role.PROJECT_LEADER])
    html = client.get(reverse("programme_detail", kwargs=_kwargs(programme))).text
    tabs = _tab_list(html)
    assert [href for href, _current in tabs] == _urls(TAB_ORDER, programme)
    assert [tab.url_name for tab in registry.programme_tabs()] == TAB_ORDER


@pytest.mark.parametrize(
    "name", ["programme_detail", "patrols:programme_rounds", "trainings:programme_trainings"]
)
def test_the_tab_of_the_page_is_marked_current(world, programme, login, name):
    client = login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse(name, kwargs=_kwargs(programme))
    tabs = _tab_list(client.get(url).text)
    assert [href for href, current in tabs if current] == [url]


def test_a_sub_page_keeps_its_tab_current(world, programme, login):
    from recruitment import services as recruitment

    pl = world.users[Role.PROJECT_LEADER]
    with scopes_disabled():
        survey = recruitment.survey_create(actor=pl, programme=programme, title="Buurtpeiling")
    url = reverse("recruitment:survey_edit", kwargs={**_kwargs(programme), "survey_pk": survey.pk})
    tabs = _tab_list(login(pl).get(url).text)
    assert [href for href, current in tabs if current] == _urls(
        ["recruitment:survey_list"], programme
    )


def test_a_removed_registration_removes_its_tab(world, programme, login, removed_tab):
    client = login(world.users[Role.PROJECT_LEADER])
    tabs = _tab_list(client.get(reverse("programme_detail", kwargs=_kwargs(programme))).text)
    expected = [name for name in TAB_ORDER if name != "patrols:programme_effort"]
    assert [href for href, _current in tabs] == _urls(expected, programme)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_tabs_it_may_open_and_no_other(world, programme, client, role):
    """Every registered tab answers 200 to a role that sees it and 403 to one that does not:
    a tab's permission and its page's permission never drift apart."""
    user = world.users[role]
    shown = visible_programme_tabs(
        user=user, client=world.client, programme=programme, view_name=None
    )
    shown_urls = {link.url for link in shown}
    client.force_login(user)
    for tab in registry.programme_tabs():
        url = reverse(tab.url_name, kwargs=_kwargs(programme))
        status = client.get(url).status_code
        assert status == (200 if url in shown_urls else 403), (role, tab.url_name, status)
    if role in (Role.CLIENT_STAFF, Role.TEAM_MEMBER):
        assert shown == []  # no workspace tabs outside the consultancy
    else:
        assert len(shown) == len(TAB_ORDER)


def _render_tabs(user, client, programme, view_name="programme_detail"):
    request = RequestFactory().get("/")
    request.user = user
    request.resolver_match = resolve(reverse(view_name, kwargs=_kwargs(programme)))
    template = Template("{% load registered %}{% programme_tabs %}")
    return template.render(Context({"request": request, "client": client, "programme": programme}))


def test_the_tab_list_is_a_labelled_navigation_and_empty_for_client_staff(world, programme):
    with translation.override("nl"):
        html = _render_tabs(world.users[Role.PROJECT_LEADER], world.client, programme)
        assert '<nav aria-label="Onderdelen van het programma">' in html
        assert ">Overzicht</a>" in html  # the label is translated when the page is shown
        assert _render_tabs(world.users[Role.CLIENT_STAFF], world.client, programme).strip() == ""


def test_the_tabs_cost_no_query(world, programme):
    user = world.users[Role.PROJECT_LEADER]
    _render_tabs(user, world.client, programme)  # the user's role is read before
    with CaptureQueriesContext(connection) as queries:
        _render_tabs(user, world.client, programme)
    assert len(queries) == 0


def _portal_hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_portal_links_in_order_for_the_client(world, programme, login):
    client = login(world.users[Role.CLIENT_STAFF])
    html = client.get(reverse("portal_programme", kwargs=_kwargs(programme))).text
    links = [
        reverse("recruitment:portal_candidates", kwargs=_kwargs(programme)),
        reverse("patrols:portal_effort", kwargs=_kwargs(programme)),
        reverse("patrols:portal_signals", kwargs={"org": world.client.slug})
        + f"?programme={programme.pk}",
    ]
    hrefs = [href.replace("&amp;", "&") for href in _portal_hrefs(html)]
    positions = [hrefs.index(link) for link in links]
    assert positions == sorted(positions)
    home = client.get(reverse("portal_home", kwargs={"org": world.client.slug})).text
    assert reverse("patrols:portal_signals", kwargs={"org": world.client.slug}) in home


def test_a_removed_registration_removes_its_portal_link(world, programme, login, removed_link):
    client = login(world.users[Role.CLIENT_STAFF])
    html = client.get(reverse("portal_programme", kwargs=_kwargs(programme))).text
    assert reverse("recruitment:portal_candidates", kwargs=_kwargs(programme)) not in html
    assert reverse("patrols:portal_effort", kwargs=_kwargs(programme)) in html


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_portal_links_it_may_follow(world, programme, client, role):
    """A portal link shows exactly when its page opens for the role (200), and is hidden when
    the page would refuse it (403): the link asks the page's own declaration."""
    user = world.users[role]
    client.force_login(user)
    for scope, about in ((registry.CLIENT, None), (registry.PROGRAMME, programme)):
        shown = {
            link.url
            for link in visible_portal_links(user=user, client=world.client, programme=about)
        }
        for link in registry.portal_links(scope=scope):
            kwargs = {"org": world.client.slug}
            if about is not None and not link.programme_query:
                kwargs["programme_pk"] = programme.pk
            url = reverse(link.url_name, kwargs=kwargs)
            status = client.get(url).status_code
            visible = any(found.split("?")[0] == url for found in shown)
            assert status == (200 if visible else 403), (role, link.url_name, status)
    if role == Role.TEAM_MEMBER:
        assert visible_portal_links(user=user, client=world.client, programme=programme) == []
    else:
        # The apps' programme links, the figures', the documents', the meetings', the
        # evaluations' and the action plan's included.
        assert len(visible_portal_links(user=user, client=world.client, programme=programme)) == 8


def test_a_team_member_lands_on_the_registered_team_home(world, team, login):
    client = login(world.users[Role.TEAM_MEMBER])
    home = reverse("patrols:team_home", kwargs={"org": world.client.slug})
    assert client.get(reverse("home"))["Location"] == home
    assert f'href="{home}"' in client.get(home).text  # the "My team" link


def test_without_a_team_home_there_is_no_my_team_link(world, team, login, no_team_home):
    client = login(world.users[Role.TEAM_MEMBER])
    assert client.get(reverse("home"))["Location"] == reverse("account_email")
    html = client.get(reverse("account_email")).text
    assert "/team/" not in html


def test_document_labels_come_from_the_registry(extra_kind):
    with translation.override("en"):
        assert Document(kind=CERTIFICATE).kind_label == "Certificate"
        assert Document(kind=PLAN_OF_APPROACH).get_kind_display() == "Plan of approach"
        assert Document(kind="test_leaflet").kind_label == "Test leaflet"
    with translation.override("nl"):
        assert Document(kind=CERTIFICATE).kind_label == "Certificaat"
    choices = dict(Document._meta.get_field("kind").choices)
    assert {PLAN_OF_APPROACH, CERTIFICATE, RECRUITMENT_FLYER, "test_leaflet"} <= set(choices)


def test_an_unknown_kind_shows_a_neutral_label_never_its_code(world):
    document = Document(organisation=world.client, kind="gone_kind_0042")
    for language in ("nl", "en"):
        with translation.override(language):
            assert document.kind_label == "Document"
            assert "gone" not in document.get_kind_display()
            assert "gone" not in str(document)
            assert document.download_name == "document.pdf"


def test_a_kind_code_is_bounded():
    with pytest.raises(ValueError):
        registry.DocumentKind(code="x" * 31, label="Too long", builder=print)
    with pytest.raises(ValueError):
        registry.DocumentKind(code="", label="Empty", builder=print)


def test_who_may_ask_for_which_document(world):
    staff, pl = world.users[Role.CLIENT_STAFF], world.users[Role.PROJECT_LEADER]
    assert services.documents_available(user=staff) == {PLAN_OF_APPROACH}
    assert {PLAN_OF_APPROACH, RECRUITMENT_FLYER} <= services.documents_available(user=pl)
    for user in (staff, pl, world.users[Role.CONSULTANCY_ADMIN]):
        available = services.documents_available(user=user)
        assert CERTIFICATE not in available  # made when someone passes, never by hand
        assert SURVEY_REPORT not in available  # asked for on the survey's own page
    assert services.documents_available(user=world.users[Role.TEAM_MEMBER]) == set()


def test_the_client_may_not_ask_for_the_recruitment_flyer(world, programme, login):
    client = login(world.users[Role.CLIENT_STAFF])
    url = reverse("document_request", kwargs=_kwargs(programme))
    assert client.post(url, {"kind": RECRUITMENT_FLYER}).status_code == 403
    assert client.post(url, {"kind": "no_such_kind"}).status_code == 404
    assert client.post(url, {"kind": PLAN_OF_APPROACH}).status_code == 302
    with scopes_disabled():
        assert list(Document.objects.values_list("kind", flat=True)) == [PLAN_OF_APPROACH]


def test_the_team_home_is_registered_once():
    home = registry.team_home()
    assert registry.register_team_home(home) == home  # the same again is harmless
    with pytest.raises(ValueError):
        registry.register_team_home(registry.TeamHome("Elsewhere", "workspace"))
    assert registry.team_home() == home


@pytest.fixture
def narrowed_tab():
    """The Sent mail tab registered with a narrower permission than its page's, for one test."""
    tab = registry.programme_tabs()[-1]
    registry.register_programme_tab(replace(tab, permission=Perm.MAIL_MANAGE))
    yield tab
    registry.register_programme_tab(tab)


def test_a_registered_permission_narrows_who_sees_the_tab(world, programme, narrowed_tab):
    def urls(role):
        tabs = visible_programme_tabs(
            user=world.users[role], client=world.client, programme=programme, view_name=None
        )
        return [link.url for link in tabs]

    outbox = reverse(narrowed_tab.url_name, kwargs=_kwargs(programme))
    assert outbox in urls(Role.CONSULTANCY_ADMIN)
    assert outbox not in urls(Role.PROJECT_LEADER)  # the page lets them in, the tab does not
    assert len(urls(Role.PROJECT_LEADER)) == len(TAB_ORDER) - 1
