"""Template tags that render what the apps registered (`programmes.registry`): the programme
tabs and the portal links. The base's templates name no app's page; these tags ask the
registry which pages there are and show each to whoever may open it: who that is, the page's
own view says (`allows(user)`, from the permissions it declares and enforces).

No queries: the permissions are the role's (`has_perm` reads the user row the request already
has), and a URL is reversed and its view class looked up once per URL name, never fetched.
"""

from dataclasses import dataclass

from django import template
from django.urls import get_script_prefix, get_urlconf, resolve, reverse

from .. import registry
from ..permissions import has_perm
from ..views.rows import row_url

register = template.Library()


@dataclass(frozen=True)
class Link:
    """A registered tab or link made concrete for one page: its label, URL and whether it is
    the page being shown."""

    label: str
    url: str
    current: bool = False


# URL name -> the view class behind it (the same for every URL of that name).
_view_classes: dict[str, type | None] = {}


def page_allows(user, *, url_name: str, path: str, permission: str | None = None) -> bool:
    """Whether `user` may open the page at `path` (named `url_name`): its view's declaration
    decides, and a registered `permission` narrows it further."""
    if permission is not None and not has_perm(user, permission):
        return False
    if url_name not in _view_classes:
        _view_classes[url_name] = getattr(resolve(path).func, "view_class", None)
    allows = getattr(_view_classes[url_name], "allows", None)
    return allows(user) if allows is not None else True


# (URL name, URL conf, script prefix) -> the tab's URL as a function of (org, programme_pk):
# reversed once per process instead of once per tab on every programme page.
_tab_urls: dict[tuple, object] = {}


def _tab_url(url_name: str, org: str, programme_pk: int) -> str:
    key = (url_name, get_urlconf(), get_script_prefix())
    if key not in _tab_urls:
        _tab_urls[key] = row_url(url_name, "org", "programme_pk")
    return _tab_urls[key](org, programme_pk)


def visible_programme_tabs(*, user, client, programme, view_name: str | None) -> list[Link]:
    """The programme tabs `user` may open, in their registered order, the current one marked."""
    tabs = []
    for tab in registry.programme_tabs():
        url = _tab_url(tab.url_name, client.slug, programme.pk)
        if page_allows(user, url_name=tab.url_name, path=url, permission=tab.permission):
            tabs.append(Link(tab.label, url, tab.is_current(view_name)))
    return tabs


def visible_portal_links(*, user, client, programme=None) -> list[Link]:
    """The portal links `user` may open: of the client (portal home) or of one programme."""
    scope = registry.CLIENT if programme is None else registry.PROGRAMME
    links = []
    for link in registry.portal_links(scope=scope):
        if programme is None or link.programme_query:
            path = reverse(link.url_name, kwargs={"org": client.slug})
        else:
            kwargs = {"org": client.slug, "programme_pk": programme.pk}
            path = reverse(link.url_name, kwargs=kwargs)
        if not page_allows(user, url_name=link.url_name, path=path, permission=link.permission):
            continue
        query = (
            f"?{link.programme_query}={programme.pk}" if programme and link.programme_query else ""
        )
        links.append(Link(link.label, path + query))
    return links


def _view_name(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


@register.inclusion_tag("programmes/includes/programme_tabs.html", takes_context=True)
def programme_tabs(context) -> dict:
    """`{% programme_tabs %}`: the tabs of the page's `programme` (of `client`)."""
    request = context["request"]
    return {
        "tabs": visible_programme_tabs(
            user=request.user,
            client=context["client"],
            programme=context["programme"],
            view_name=_view_name(request),
        )
    }


@register.simple_tag(takes_context=True)
def portal_links(context, client, programme=None) -> list[Link]:
    """`{% portal_links client as links %}` (portal home) or `{% portal_links client programme
    as links %}` (a programme's portal page): the links the user may follow, in order."""
    return visible_portal_links(user=context["request"].user, client=client, programme=programme)
