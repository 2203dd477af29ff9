"""The patrols app's cards on the client's portal home: open, urgent and overdue signals."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.registry import PortalCard

from . import selectors
from .portal import SignalListView


def signal_cards(*, user, organisation) -> list[PortalCard]:
    """Three numbers with a link each to the signal list filtered the same way; one query
    counts them, each up to COUNT_CAP (past it the card reads "10000 or more")."""
    if not SignalListView.allows(user):  # who may open the list the cards link to
        return []
    counts = selectors.signal_counts_for_client(user=user, organisation=organisation)
    base = reverse("patrols:portal_signals", kwargs={"org": organisation.slug})

    def url(**query):
        return f"{base}?{urlencode(query)}"

    def shown(n: int, label: str, label_more: str) -> dict:
        """The card's number and label: past the cap the count stopped, and says so."""
        if n > selectors.COUNT_CAP:
            return {"count": selectors.COUNT_CAP, "label": label_more}
        return {"count": n, "label": label}

    n_open, urgent, overdue = counts["open"], counts["urgent"], counts["overdue"]
    return [
        PortalCard(
            **shown(
                n_open,
                ngettext("open signal", "open signals", n_open),
                _("or more open signals"),
            ),
            url=url(status="open"),
            order=20,
        ),
        PortalCard(
            **shown(
                urgent,
                ngettext("urgent signal", "urgent signals", urgent),
                _("or more urgent signals"),
            ),
            url=url(status="open", urgent=1),
            tone="alert" if urgent else "neutral",
            order=30,
        ),
        PortalCard(
            **shown(
                overdue,
                ngettext(
                    "signal past its handling time", "signals past their handling time", overdue
                ),
                _("or more signals past their handling time"),
            ),
            url=url(overdue=1),
            tone="attention" if overdue else "neutral",
            order=40,
        ),
    ]
