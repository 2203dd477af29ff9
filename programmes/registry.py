"""Registries of the base app: other apps plug in from their `AppConfig.ready()`.

The base renders what is registered and never names an app, so `programmes` stays free of
imports from the apps built on it (the pattern of pretix's plugin signals, without signals).
"""

from collections.abc import Callable
from dataclasses import dataclass


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
