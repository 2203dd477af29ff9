"""The recruitment app's card on the client's portal home: candidates waiting for a decision."""

from django.urls import reverse
from django.utils.translation import ngettext

from programmes.registry import PortalCard

from .selectors import proposed_counts
from .views import CandidatesView


def candidate_cards(*, user, organisation) -> list[PortalCard]:
    """One card per programme with candidates proposed to the client, counted in one query.

    Only for people who decide on candidates (the client's own staff); nothing when no one
    waits, since recruitment is over in most programmes most of the time.
    """
    if not CandidatesView.allows(user, "POST"):  # who may decide, as the page declares it
        return []
    rows = proposed_counts(organisation=organisation)
    return [
        PortalCard(
            count=row["waiting"],
            label=ngettext(
                "candidate waits for your decision",
                "candidates wait for your decision",
                row["waiting"],
            ),
            detail=row["programme__name"],
            url=reverse(
                "recruitment:portal_candidates",
                kwargs={"org": organisation.slug, "programme_pk": row["programme_id"]},
            ),
            tone="attention",
            order=10,
        )
        for row in rows
    ]
