"""Registries of the base app: other apps plug in from their `AppConfig.ready()`.

The base renders what is registered and never names an app, so `programmes` stays free of
imports from the apps built on it (the pattern of pretix's plugin signals, without signals).
What can be registered: portal home cards, programme tabs, portal links, the team member's
home and document kinds (with their PDF builder). The base registers its own tabs and its
plan of approach the same way, so even their order is data. Notification kinds have their
own registry beside this one (`programmes.notification_kinds`).

Labels are lazy translations (`gettext_lazy`): registration happens at start-up, the language
is the request's.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class PortalCard:
    """One thing that waits for the client, shown on the portal home as a number with a link.

    `label` is already translated and pluralised for `count` (ngettext); `detail` is an
    optional second line, such as the programme it is about.
    """

    count: int
    label: str
    url: str
    detail: str = ""
    tone: str = "neutral"  # "neutral", "attention" or "alert": how loudly the card asks
    order: int = 100


# A provider takes the acting user and the client organisation (keywords `user` and
# `organisation`) and returns its cards; it counts in SQL with one aggregate query.
PortalCardProvider = Callable[..., list[PortalCard]]

_portal_card_providers: list[PortalCardProvider] = []


def register_portal_cards(provider: PortalCardProvider) -> PortalCardProvider:
    """Add a provider of portal home cards; registering the same one twice is harmless."""
    if provider not in _portal_card_providers:
        _portal_card_providers.append(provider)
    return provider


def portal_cards(*, user, organisation) -> list[PortalCard]:
    """The cards of every registered provider for this user and client, in their order."""
    cards = [
        card
        for provider in _portal_card_providers
        for card in provider(user=user, organisation=organisation)
    ]
    return sorted(cards, key=lambda card: card.order)


def _ordered(items):
    """Registered items by `order`, ties in registration order (sorted is stable)."""
    return sorted(items, key=lambda item: item.order)


# Programme tabs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeTab:
    """A tab of a programme's workspace pages (Overview, Intake, Rounds...).

    `url_name` is the (namespaced) name of a URL that takes `org` and `programme_pk`. The tab
    shows to whoever the page's view lets in (its declared permission, so a tab never leads to
    a 403 and the rule is not written twice); `permission`, when given, narrows that further.
    It is marked current on its own page and on the view names in `active` (its sub-pages: a
    survey's edit page keeps the Survey tab current).
    """

    label: str
    url_name: str
    order: int = 100
    permission: str | None = None
    active: tuple[str, ...] = ()

    def is_current(self, view_name: str | None) -> bool:
        return view_name is not None and (view_name == self.url_name or view_name in self.active)


_programme_tabs: dict[str, ProgrammeTab] = {}
# Counts the changes to what the page chrome shows (programme tabs, navigation entries, the
# team home), so markup made from them can tell it is out of date.
_chrome_changes = [0]


def register_programme_tab(tab: ProgrammeTab) -> ProgrammeTab:
    """Add a programme tab; a tab registered again under the same URL name replaces it."""
    _programme_tabs[tab.url_name] = tab
    _chrome_changes[0] += 1
    return tab


def unregister_programme_tab(url_name: str) -> ProgrammeTab | None:
    """Take a tab away again (a test, or an app switched off); returns what was registered."""
    _chrome_changes[0] += 1
    return _programme_tabs.pop(url_name, None)


def chrome_version() -> int:
    """A number that changes whenever a programme tab, a navigation entry or the team home
    is registered or taken away."""
    return _chrome_changes[0]


def programme_tabs() -> list[ProgrammeTab]:
    """Every registered programme tab, in order (not yet filtered by who looks)."""
    return _ordered(_programme_tabs.values())


# Portal links ---------------------------------------------------------------------------------

CLIENT = "client"
PROGRAMME = "programme"


@dataclass(frozen=True)
class PortalLink:
    """A link on the client portal: on the portal home (`scope=CLIENT`, a URL that takes `org`)
    or on a programme's portal page (`scope=PROGRAMME`, a URL that takes `org` and
    `programme_pk`; or, with `programme_query`, a client-wide page filtered to the programme
    by that query parameter). Shown to whoever the page's view lets in; `permission`, when
    given, narrows that further.
    """

    label: str
    url_name: str
    scope: str = PROGRAMME
    order: int = 100
    programme_query: str = ""
    permission: str | None = None

    def __post_init__(self):
        if self.scope not in (CLIENT, PROGRAMME):
            raise ValueError(f"portal link scope must be {CLIENT!r} or {PROGRAMME!r}")


_portal_links: dict[tuple[str, str], PortalLink] = {}


def register_portal_link(link: PortalLink) -> PortalLink:
    """Add a portal link; one registered again with the same URL name and scope replaces it."""
    _portal_links[(link.scope, link.url_name)] = link
    return link


def unregister_portal_link(url_name: str, *, scope: str = PROGRAMME) -> PortalLink | None:
    """Take a portal link away again; returns what was registered."""
    return _portal_links.pop((scope, url_name), None)


def portal_links(*, scope: str) -> list[PortalLink]:
    """The registered portal links of one scope, in order (not yet filtered by who looks)."""
    return _ordered(link for link in _portal_links.values() if link.scope == scope)


# Navigation links -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NavLink:
    """An entry of the main navigation that an app adds (the consultancy's overview across
    clients): a URL without arguments, shown to the roles that hold `permission`."""

    label: str
    url_name: str
    permission: str
    order: int = 100


_nav_links: dict[str, NavLink] = {}


def register_nav_link(link: NavLink) -> NavLink:
    """Add a navigation entry; one registered again under the same URL name replaces it."""
    _nav_links[link.url_name] = link
    _chrome_changes[0] += 1
    return link


def unregister_nav_link(url_name: str) -> NavLink | None:
    """Take a navigation entry away again (a test); returns what was registered."""
    _chrome_changes[0] += 1
    return _nav_links.pop(url_name, None)


def nav_links() -> list[NavLink]:
    """The registered navigation entries, in order (not yet filtered by who looks)."""
    return _ordered(_nav_links.values())


# The team member's home -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamHome:
    """Where a team member lands after logging in, and the "My team" link of the page chrome:
    a URL that takes `org` (the member's own organisation)."""

    label: str
    url_name: str


_team_home: list[TeamHome] = []


def register_team_home(home: TeamHome) -> TeamHome:
    """Name the team member's home. There is one: a second, different one is a mistake that
    should fail at start-up rather than send members to whichever app loaded last."""
    if _team_home and _team_home[0] != home:
        raise ValueError(f"the team home is already {_team_home[0].url_name!r}")
    _team_home[:] = [home]
    _chrome_changes[0] += 1
    return home


def unregister_team_home() -> TeamHome | None:
    """Take the team home away again (a test); returns what was registered."""
    _chrome_changes[0] += 1
    return _team_home.pop() if _team_home else None


def team_home() -> TeamHome | None:
    """The team member's home, or None when no app offers one."""
    return _team_home[0] if _team_home else None


# Document kinds -------------------------------------------------------------------------------

# The width of `Document.kind`: a longer code could not be stored.
DOCUMENT_KIND_MAX_LENGTH = 30


@dataclass(frozen=True)
class DocumentKind:
    """A kind of generated document (PDF), registered once with its label and its builder.

    `builder(document)` returns (template, context, language) for the PDF renderer.
    `permission` is who may ask for it from a programme's pages; None when only its own app's
    service makes it (a certificate is made when someone passes). `needs_ref` kinds are about
    one thing inside the programme (a survey), named by the document's `ref`, and are asked for
    on that thing's own page. `on_ready(document)` runs once the PDF is made (mail it).

    `client_visible`, when given, is a function without arguments returning a `Q` over
    `Document` that narrows which ready documents of the kind the client's documents page
    lists (a periodic report only once it was sent, not while it is a draft). None: every
    ready document of the kind is the client's to see.

    `describe(document)`, when given, names one document of the kind for people, in the
    active language, from the document's own fields and no query (a list shows many): a
    monthly report says its month. It is the document's `label` on pages and the start of
    its download name; an empty answer, or None, falls back to the kind's label.
    """

    code: str
    label: str
    builder: Callable
    permission: str | None = None
    needs_ref: bool = False
    on_ready: Callable | None = None
    client_visible: Callable | None = None
    describe: Callable | None = None

    def __post_init__(self):
        if not self.code or len(self.code) > DOCUMENT_KIND_MAX_LENGTH:
            raise ValueError(
                f"a document kind code is 1 to {DOCUMENT_KIND_MAX_LENGTH} characters: {self.code!r}"
            )


_document_kinds: dict[str, DocumentKind] = {}


def register_document_kind(kind: DocumentKind) -> DocumentKind:
    """Add a document kind; a kind registered again under the same code replaces it."""
    _document_kinds[kind.code] = kind
    return kind


def unregister_document_kind(code: str) -> DocumentKind | None:
    """Take a document kind away again (a test); returns what was registered."""
    return _document_kinds.pop(code, None)


def document_kind(code: str) -> DocumentKind:
    """The registered kind with this code; KeyError when there is none."""
    return _document_kinds[code]


def document_kinds() -> list[DocumentKind]:
    """Every registered document kind, in registration order."""
    return list(_document_kinds.values())


def document_kind_label(code: str) -> str:
    """The label of a kind for people: a kind no app registers (any more) gets a neutral
    word, never its raw code."""
    kind = _document_kinds.get(code)
    return str(kind.label) if kind is not None else str(_("Document"))


def document_label(document) -> str:
    """One document's name for people: its kind's `describe(document)`, else the kind's
    label (a neutral word for a kind no app registers)."""
    kind = _document_kinds.get(document.kind)
    described = kind.describe(document) if kind is not None and kind.describe else ""
    return str(described) if described else document_kind_label(document.kind)


def document_kind_choices() -> list[tuple[str, str]]:
    """(code, label) of every registered kind: the choices of `Document.kind`, read when they
    are needed (forms, admin), so kinds registered in the apps' `ready()` are all there."""
    return [(kind.code, kind.label) for kind in _document_kinds.values()]


# Bulk job kinds -------------------------------------------------------------------------------

BULK_KIND_MAX_LENGTH = 40


@dataclass(frozen=True)
class BulkKind:
    """A kind of bulk action run in the background (`programmes.models.BulkJob`), registered
    once with its label and the function that processes one chunk of its items.

    `process(job, items)` gets the job and a list of item ids (from the job's payload) and
    returns how many of them failed (the rest count as done; a failure shows on the progress
    bar): it must be idempotent per item, since a chunk is run again after a worker died in
    it. It runs inside a transaction and the tenant's scope, wrapped in `mail_burst()`.
    """

    code: str
    label: str
    process: Callable
    # How far it got, for people: a lazy ngettext on "total" with %(done)s and %(total)s
    # ("12 of 30 certificates issued"); None: "12 of 30 sent".
    progress: object = None
    # Keys of the payload that hold personal data (a list of names and addresses): dropped
    # from the job once it is done, so the row keeps only counts and ids.
    personal: tuple = ()

    def __post_init__(self):
        if not self.code or len(self.code) > BULK_KIND_MAX_LENGTH:
            raise ValueError(
                f"a bulk kind code is 1 to {BULK_KIND_MAX_LENGTH} characters: {self.code!r}"
            )


_bulk_kinds: dict[str, BulkKind] = {}


def register_bulk_kind(kind: BulkKind) -> BulkKind:
    """Add a bulk job kind; a kind registered again under the same code replaces it."""
    _bulk_kinds[kind.code] = kind
    return kind


def unregister_bulk_kind(code: str) -> BulkKind | None:
    """Take a bulk job kind away again (a test); returns what was registered."""
    return _bulk_kinds.pop(code, None)


def bulk_kind(code: str) -> BulkKind:
    """The registered bulk job kind with this code; KeyError when there is none."""
    return _bulk_kinds[code]


def bulk_kind_progress(code: str, *, done: int, total: int) -> str:
    """How far a bulk job of this kind got ("12 of 30 sent", or the kind's own words)."""
    kind = _bulk_kinds.get(code)
    if kind is not None and kind.progress is not None:
        return str(kind.progress % {"done": done, "total": total})
    return ngettext("%(done)s of %(total)s sent", "%(done)s of %(total)s sent", total) % {
        "done": done,
        "total": total,
    }


def bulk_kind_label(code: str) -> str:
    """What a bulk job of this kind does, for people; a neutral word for an unknown code."""
    kind = _bulk_kinds.get(code)
    return str(kind.label) if kind is not None else str(_("Bulk action"))
