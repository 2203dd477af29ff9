"""The page header every page shows (`{% main_navigation %}` in base.html), rendered cheaply.

The header's template (includes/main_navigation.html) has some twenty tags and links, and all of
them but a handful depend only on the user's role, the language and which page is open. So the
template is rendered once per such key with stand-ins (marks) for the rest (the user's name,
their organisation's short name in two links, the unread badge's figure, the CSRF token and the
page's own address), and each request fills its own values into that markup, escaped as
autoescape does. The result is the markup the template gives for the request; the header cost
about as much as a trivial page before.
"""

from html import escape

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import registry
from ..closure import is_closed

register = template.Library()

TEMPLATE = "includes/main_navigation.html"

# Stand-ins: letters and digits only, so escaping and URL quoting leave them as they are; the
# slug's is a number, which the URL's slug converter accepts.
_NAME, _LABEL, _TOKEN, _PATH = "zqxname7zqx", "zqxbadge7zqx", "zqxtoken7zqx", "zqxpath7zqx"
_SLUG = "987654329"
_MARKS = (_NAME, _LABEL, _TOKEN, _PATH, _SLUG)

# key -> the header's markup cut at the marks: [text, mark, text, mark, ..., text].
_rendered: dict[tuple, list[str]] = {}
_MAX_ENTRIES = 1_000


class _Match:
    def __init__(self, url_name, view_name):
        self.url_name = url_name
        self.view_name = view_name


class _Request:
    def __init__(self, match):
        self.resolver_match = match

    def get_full_path(self):
        return _PATH


class _Organisation:
    slug = _SLUG


class _User:
    """What the header reads of the user, with stand-ins for what is the user's own."""

    def __init__(self, user):
        self.is_authenticated = user.is_authenticated
        self.is_consultancy_staff = getattr(user, "is_consultancy_staff", False)
        self.role = getattr(user, "role", "")
        self.name = _NAME
        self.email = _NAME
        self.organisation = _Organisation()


def _cut(markup: str, marks=_MARKS) -> list[str]:
    """`markup` cut at the marks: text and marks alternating, text first and last."""
    parts = [markup]
    for mark in marks:
        cut = []
        for i, part in enumerate(parts):
            if i % 2:  # an earlier mark
                cut.append(part)
                continue
            pieces = part.split(mark)
            for j, piece in enumerate(pieces):
                if j:
                    cut.append(mark)
                cut.append(piece)
        parts = cut
    return parts


def _organisation_slug(request, user) -> str:
    """The short name of the user's own organisation, from what the request already read."""
    org = getattr(request, "organisation", None)
    if org is not None and org.pk == user.organisation_id:
        return org.slug
    for row in getattr(user, "_organisation_rows", None) or ():
        if row["pk"] == user.organisation_id:
            return row["slug"]
    return user.organisation.slug


@register.simple_tag(takes_context=True)
def main_navigation(context) -> str:
    request = context.get("request")
    user = context.get("user")
    token = context.get("csrf_token")
    nav = context.get("nav")
    usual = (
        request is not None
        and user is not None
        and token
        and str(token) != "NOTPROVIDED"
        and (not user.is_authenticated or (nav is not None and user.organisation_id is not None))
    )
    if not usual:  # an error page, a mail or a user without organisation: as the template says
        return mark_safe(get_template(TEMPLATE).template.render(context).strip())  # noqa: S308
    badge = context.get("notifications_unread") if user.is_authenticated else None
    shows_badge = bool(nav and nav["notifications"] and badge and badge["count"])
    match = getattr(request, "resolver_match", None)
    key = (
        get_language(),
        get_script_prefix(),
        user.is_authenticated,
        getattr(user, "role", ""),
        getattr(user, "is_consultancy_staff", False),
        (match.url_name, match.view_name) if match is not None else None,
        shows_badge,
        # What the apps registered (entries, team home), in case it changes while running.
        registry.chrome_version(),
        tuple(sorted((k, v) for k, v in nav.items() if type(v) is bool)) if nav else (),
    )
    parts = _rendered.get(key)
    if parts is None:
        markup = get_template(TEMPLATE).render(
            {
                "user": _User(user),
                "request": _Request(match and _Match(match.url_name, match.view_name)),
                "nav": nav,
                "notifications_unread": {"count": 1 if shows_badge else 0, "label": _LABEL},
                "csrf_token": _TOKEN,
            }
        )
        if len(_rendered) >= _MAX_ENTRIES:
            _rendered.clear()
        parts = _rendered[key] = _cut(markup.strip())
    values = {_TOKEN: escape(str(token)), _PATH: escape(request.get_full_path())}
    if user.is_authenticated:
        values[_NAME] = escape(user.name or user.email)
        if _LABEL in parts:
            values[_LABEL] = escape(badge["label"])
        if _SLUG in parts:
            values[_SLUG] = _organisation_slug(request, user)
    return mark_safe(  # noqa: S308 - the template's markup, each value escaped above
        "".join([values[part] if i % 2 else part for i, part in enumerate(parts)])
    )


PROGRAMME_TEMPLATE = "programmes/includes/programme_header.html"
# Stand-ins of the programme header: the client's short name and name, the programme's id
# (digits, for the URLs' int converter) and name.
_CLIENT_SLUG, _CLIENT_NAME = "zqxslug7zqx", "zqxclient7zqx"
_PROGRAMME_PK, _PROGRAMME_NAME = "918273645", "zqxprogramme7zqx"
_PROGRAMME_MARKS = (_CLIENT_SLUG, _CLIENT_NAME, _PROGRAMME_PK, _PROGRAMME_NAME)
_programme_rendered: dict[tuple, list[str]] = {}


class _Client:
    slug, name = _CLIENT_SLUG, _CLIENT_NAME


class _Programme:
    def __init__(self, closed: bool):
        self.pk, self.name, self._closed = int(_PROGRAMME_PK), _PROGRAMME_NAME, closed


class _PageRequest:
    def __init__(self, user, match):
        self.user, self.resolver_match = user, match


@register.simple_tag(takes_context=True)
def programme_header(context) -> str:
    """`{% programme_header %}` (programmes/includes/programme_nav.html): a programme page's
    breadcrumb, heading and tabs, as programme_header.html renders them, from markup kept per
    role, language, page and whether the programme was closed; each request fills in the
    client's and the programme's names and the ids in the links. The tabs asked every
    registered page whether the role may open it on every programme page."""
    request, client, programme = (context.get(k) for k in ("request", "client", "programme"))
    user = getattr(request, "user", None)
    if user is None or client is None or programme is None or programme.pk is None:
        return mark_safe(get_template(PROGRAMME_TEMPLATE).template.render(context))  # noqa: S308
    closed = is_closed(programme)
    match = getattr(request, "resolver_match", None)
    key = (
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        getattr(user, "role", ""),
        user.is_authenticated and user.is_active,
        match.view_name if match is not None else None,
        closed,
        registry.chrome_version(),
    )
    parts = _programme_rendered.get(key)
    if parts is None:
        markup = get_template(PROGRAMME_TEMPLATE).render(
            {
                "request": _PageRequest(user, match),
                "client": _Client(),
                "programme": _Programme(closed),
            }
        )
        if len(_programme_rendered) >= _MAX_ENTRIES:
            _programme_rendered.clear()
        parts = _programme_rendered[key] = _cut(markup, _PROGRAMME_MARKS)
    values = {
        _CLIENT_SLUG: escape(client.slug),
        _CLIENT_NAME: escape(client.name),
        _PROGRAMME_PK: str(int(programme.pk)),
        _PROGRAMME_NAME: escape(programme.name),
    }
    return mark_safe(  # noqa: S308 - the template's markup, each value escaped above
        "".join([values[part] if i % 2 else part for i, part in enumerate(parts)])
    )


# A static file's path -> its URL (the storage's answer does not change while running).
_assets: dict[str, str] = {}


@register.simple_tag
def asset(path: str) -> str:
    """`{% asset "css/app.css" %}`: what `{% static %}` gives, asked of the storage once per
    file rather than on every page (base.html names seven)."""
    url = _assets.get(path)
    if url is None:
        url = _assets[path] = static(path)
    return url


@receiver(setting_changed, dispatch_uid="programmes.chrome.settings")
def _settings_changed(**kwargs) -> None:
    """Tests that change the languages, the URLs or the static files start afresh."""
    _rendered.clear()
    _programme_rendered.clear()
    _assets.clear()


@register.simple_tag(takes_context=True)
def page_links(context, page, label="", param="") -> str:
    """The page links under a list (includes/pagination.html) for a `page` of
    `programmes.pagination.paginate` or `statements.paginate`: first, previous, "page n of m",
    next and last, each link keeping the request's other query parameters (filters, sorting)
    as {% querystring %} does; `param`: the page's parameter when a second list on the same
    page has its own (`?people=`), "page" otherwise. Written here rather than as template
    tags: on every list page the template's dozen tags cost a tenth of a trivial page.
    Nothing when there is one page."""
    if not page.has_other_pages():
        return ""

    # {% querystring page=n %}: the request's parameters in their order, `page` set.
    params = context.request.GET.copy()
    name = param or "page"

    def href(number) -> str:
        params[name] = str(number)
        return escape(f"?{params.urlencode()}")

    items = []
    if page.has_previous():
        items += [
            f'<li class="page-item"><a class="page-link" href="{href(1)}" '
            f'aria-label="{escape(_("First page"))}">&laquo;</a></li>',
            f'<li class="page-item"><a class="page-link" href="{href(page.previous_page_number())}"'
            f' rel="prev">{escape(_("Previous"))}</a></li>',
        ]
    told = _("Page %(n)s of %(total)s") % {
        "n": localize(page.number),
        "total": localize(page.paginator.num_pages),
    }
    items.append(
        '<li class="page-item disabled" aria-current="page">'
        f'<span class="page-link">{escape(told)}</span></li>'
    )
    if page.has_next():
        items += [
            f'<li class="page-item"><a class="page-link" href="{href(page.next_page_number())}"'
            f' rel="next">{escape(_("Next"))}</a></li>',
            f'<li class="page-item"><a class="page-link" href="{href(page.paginator.num_pages)}" '
            f'aria-label="{escape(_("Last page"))}">&raquo;</a></li>',
        ]
    lines = "\n    ".join(items)
    # The default label is our own text, trusted as the template trusts its literals.
    named = conditional_escape(label) if label else _("Pages")
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<nav aria-label="{named}" class="mt-3">\n'
        f'  <ul class="pagination flex-wrap mb-0">\n    {lines}\n  </ul>\n</nav>'
    )
