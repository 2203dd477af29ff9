"""The page header that `{% main_navigation %}` fills in from markup kept per role, language
and page is the markup its template gives for the request: for every role, in both languages,
on pages whose link is active and pages without one, with and without unread notifications,
and for a visitor who is not logged in; and the organisations a request reads once (the tenant
scope, a filter's choices, the header's links) are those `organisations_for` names."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation
from django_scopes import scopes_disabled

from programmes.models import Notification
from programmes.permissions import Role
from programmes.selectors import (
    find_organisation_for,
    organisation_choices_for,
    organisation_ids_for,
    organisation_rows_for,
    organisations_for,
)

pytestmark = pytest.mark.django_db

PAGES = ("notification_list", "workspace", "user_list", "audit_log", "client_list", "my_data")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _headers(user, path):
    request = RequestFactory().get(path + "?q=a%22b&x=<y>")
    request.user = user
    request.resolver_match = resolve(path)
    engine = engines["django"]
    with scopes_disabled():
        tag = engine.from_string("{% load chrome %}{% main_navigation %}").render({}, request)
        plain = engine.get_template("includes/main_navigation.html").render({}, request)
    return TOKEN.sub("TOKEN", tag), TOKEN.sub("TOKEN", plain.strip())


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("unread", [0, 3])
def test_the_header_is_the_templates_for_every_role_and_page(world, language, unread):
    with scopes_disabled():
        for user in world.users.values():
            user.name = 'Ria "R" <de Vries>'
            user.save()
            Notification.objects.bulk_create(
                Notification(organisation=user.organisation, recipient=user, kind="x", title="t")
                for _ in range(unread)
            )
    with translation.override(language):
        for user in world.users.values():
            for name in PAGES:
                tag, plain = _headers(user, reverse(name))
                assert tag == plain, (user.role, name)
                assert "zqx" not in tag and "987654329" not in tag
        tag, plain = _headers(AnonymousUser(), reverse("account_login"))
        assert tag == plain


def test_the_organisations_read_once_are_those_the_selector_names(world, other_world):
    with scopes_disabled():
        for user in [*world.users.values(), *other_world.users.values()]:
            expected = list(organisations_for(user=user).values_list("pk", "slug", "name", "kind"))
            rows = organisation_rows_for(user=user)
            assert [tuple(row.values()) for row in rows] == expected
            assert organisation_ids_for(user=user) == [row[0] for row in expected]
            assert organisation_choices_for(user=user, clients_only=True) == list(
                organisations_for(user=user).exclude(kind="consultancy").values("slug", "name")
            )
            for org in (world.consultancy, world.client, other_world.client):
                found = find_organisation_for(user=user, slug=org.slug)
                assert found == organisations_for(user=user).filter(slug=org.slug).first()
                if found is not None:
                    assert found.name == org.name and found.kind == org.kind
            assert find_organisation_for(user=user, slug="nobody") is None


PROGRAMME_PAGES = (
    "programme_detail",
    "recruitment:programme_selection",
    "patrols:programme_rounds",
    "patrols:programme_effort",
    "programme_outbox",
)


def _programme_headers(user, path, client, programme):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    engine = engines["django"]
    context = {"client": client, "programme": programme}
    with scopes_disabled():
        tag = engine.get_template("programmes/includes/programme_nav.html").render(context, request)
        plain = engine.get_template("programmes/includes/programme_header.html").render(
            context, request
        )
    return tag, plain


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_programme_header_is_the_templates_for_every_role_page_and_state(
    world, programme, language
):
    """`{% programme_header %}` fills in markup kept per role, language, page and closed
    state: the same markup as its template, with names that need escaping, for a closed
    programme, and after a tab is taken away."""
    from programmes import registry
    from programmes.services.guidance import programme_close

    with scopes_disabled():
        programme.name = 'Team "Noord" <b>&</b>'
        programme.save()
        world.client.name = "Gemeente <Noord> & 'Zo'"
        world.client.save()
    with translation.override(language):
        for closed in (False, True):
            if closed:
                with scopes_disabled():
                    programme_close(actor=world.users[Role.CONSULTANCY_ADMIN], programme=programme)
                programme._closed = None  # asked afresh
            for user in world.users.values():
                for name in PROGRAMME_PAGES:
                    kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
                    tag, plain = _programme_headers(
                        user, reverse(name, kwargs=kwargs), world.client, programme
                    )
                    assert tag == plain, (user.role, name, closed)
                    assert "zqx" not in tag and "918273645" not in tag
                    assert "&lt;b&gt;&amp;&lt;/b&gt;" in tag
                    # From the kept markup: another programme's name in the same place.
                    programme.name, before = "Wijk <2>", programme.name
                    again, plain = _programme_headers(
                        user, reverse(name, kwargs=kwargs), world.client, programme
                    )
                    programme.name = before
                    assert again == plain and "Wijk &lt;2&gt;" in again
        tab = registry.unregister_programme_tab("patrols:programme_effort")
        try:
            user = world.users[Role.PROJECT_LEADER]
            path = reverse("patrols:programme_rounds", kwargs=kwargs)
            tag, plain = _programme_headers(user, path, world.client, programme)
            assert tag == plain and reverse("patrols:programme_effort", kwargs=kwargs) not in tag
        finally:
            registry.register_programme_tab(tab)


def test_an_asset_is_the_static_files_url(settings):
    from django.templatetags.static import static

    engine = engines["django"]
    render = engine.from_string("{% load chrome %}{% asset 'css/app.css' %}").render
    assert render({}) == static("css/app.css")
    settings.STATIC_URL = "/elders/"  # asked afresh when the setting changes
    assert render({}) == static("css/app.css") and render({}).startswith("/elders/")


# The page links as the template wrote them before `page_links` (includes/pagination.html).
_PAGINATION_TEMPLATE = """{% load i18n %}{% if page.has_other_pages %}
<nav aria-label="{{ label|default:_('Pages') }}" class="mt-3">
  <ul class="pagination flex-wrap mb-0">
    {% if page.has_previous %}
    <li class="page-item"><a class="page-link" href="{% querystring page=1 %}" aria-label="{% translate 'First page' %}">&laquo;</a></li>
    <li class="page-item"><a class="page-link" href="{% querystring page=page.previous_page_number %}" rel="prev">{% translate "Previous" %}</a></li>
    {% endif %}
    <li class="page-item disabled" aria-current="page"><span class="page-link">{% blocktranslate with n=page.number total=page.paginator.num_pages %}Page {{ n }} of {{ total }}{% endblocktranslate %}</span></li>
    {% if page.has_next %}
    <li class="page-item"><a class="page-link" href="{% querystring page=page.next_page_number %}" rel="next">{% translate "Next" %}</a></li>
    <li class="page-item"><a class="page-link" href="{% querystring page=page.paginator.num_pages %}" aria-label="{% translate 'Last page' %}">&raquo;</a></li>
    {% endif %}
  </ul>
</nav>
{% endif %}"""


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("number", [1, 2, 7, 40])
@pytest.mark.parametrize("label", ["", 'Pagina\'s van "rondes" & meer'])
def test_page_links_are_the_markup_the_template_gave(language, number, label):
    from django.core.paginator import Paginator

    items = range(2000 if number != 40 else 10)  # 40: a list of one page
    page = Paginator(items, 50).get_page(number)
    request = RequestFactory().get("/lijst/?status=open&q=a%22b&straat=<Tuin>&page=3&x=1&x=2")
    engine = engines["django"]
    context = {"page": page, "label": label}
    with translation.override(language):
        ours = engine.get_template("includes/pagination.html").render(context, request)
        theirs = engine.from_string(_PAGINATION_TEMPLATE).render(context, request)
    squeeze = re.compile(r"\s+")
    assert squeeze.sub(" ", ours).strip() == squeeze.sub(" ", theirs).strip()
    if number == 40:
        assert ours.strip() == ""
    else:
        assert "status=open" in ours and "x=1&amp;x=2" in ours
