"""The patrols app's cards on the client's portal home: open, urgent and overdue signals."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import ngettext

from programmes.registry import PortalCard

from .portal import SignalListView
from .selectors import signal_counts_for_client


def signal_cards(*, user, organisation) -> list[PortalCard]:
    """Three numbers with a link each to the signal list filtered the same way."""
    if not SignalListView.allows(user):  # who may open the list the cards link to
        return []
    counts = signal_counts_for_client(user=user, organisation=organisation)
    base = reverse("patrols:portal_signals", kwargs={"org": organisation.slug})

    def url(**query):
        return f"{base}?{urlencode(query)}"

    return [
        PortalCard(
            count=counts["open"],
            label=ngettext("open signal", "open signals", counts["open"]),
            url=url(status="open"),
            order=20,
        ),
        PortalCard(
            count=counts["urgent"],
            label=ngettext("urgent signal", "urgent signals", counts["urgent"]),
            url=url(status="open", urgent=1),
            tone="alert" if counts["urgent"] else "neutral",
            order=30,
        ),
        PortalCard(
            count=counts["overdue"],
            label=ngettext(
                "signal past its handling time",
                "signals past their handling time",
                counts["overdue"],
            ),
            url=url(overdue=1),
            tone="attention" if counts["overdue"] else "neutral",
            order=40,
        ),
    ]
