"""Template tags that render what the apps registered (`programmes.registry`): the programme
tabs and the portal links. The base's templates name no app's page; these tags ask the
registry which pages there are and show each to whoever may open it.

No queries: a tab or link is shown by the role's permission (`has_perm` reads the user row the
request already has) and its URL is reversed, never looked up.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from .. import registry
from ..permissions import has_perm

register = template.Library()


@dataclass(frozen=True)
class Link:
    """A registered tab or link made concrete for one page: its label, URL and whether it is
    the page being shown."""

    label: str
    url: str
    current: bool = False


def visible_programme_tabs(*, user, client, programme, view_name: str | None) -> list[Link]:
    """The programme tabs `user` may open, in their registered order, the current one marked."""
    kwargs = {"org": client.slug, "programme_pk": programme.pk}
    return [
        Link(tab.label, reverse(tab.url_name, kwargs=kwargs), tab.is_current(view_name))
        for tab in registry.programme_tabs()
        if has_perm(user, tab.permission)
    ]


def visible_portal_links(*, user, client, programme=None) -> list[Link]:
    """The portal links `user` may open: of the client (portal home) or of one programme."""
    scope = registry.CLIENT if programme is None else registry.PROGRAMME
    links = []
    for link in registry.portal_links(scope=scope):
        if not has_perm(user, link.permission):
            continue
        if programme is None:
            url = reverse(link.url_name, kwargs={"org": client.slug})
        elif link.programme_query:
            url = reverse(link.url_name, kwargs={"org": client.slug})
            url = f"{url}?{link.programme_query}={programme.pk}"
        else:
            url = reverse(link.url_name, kwargs={"org": client.slug, "programme_pk": programme.pk})
        links.append(Link(link.label, url))
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
