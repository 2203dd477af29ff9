"""Reads for the privacy page: the requests about people's data and the retention runs of
the organisations the acting user sees, and the organisation a person is looked for in."""

from django.db.models import QuerySet
from django.http import Http404

from ..models import Organisation, PrivacyRequest, RetentionRun, RetentionSetting
from .accounts import organisation_ids_for, organisations_for


def privacy_requests_for(*, user) -> QuerySet:
    """Requests of the user's organisations, waiting ones first, newest first."""
    return (
        PrivacyRequest.objects.filter(organisation_id__in=organisation_ids_for(user=user))
        .select_related("organisation", "handled_by")
        .order_by("-status", "-created_at", "-id")  # "pending" sorts after "done"
    )


def retention_runs_latest(*, limit: int = 5) -> list:
    """The latest retention runs (not per organisation: a run covers them all)."""
    return list(RetentionRun.objects.order_by("-started_at", "-id")[:limit])


def get_privacy_organisation_for(*, user, slug: str) -> Organisation:
    """The organisation a person is looked for in: one the user sees; 404 otherwise."""
    organisation = organisations_for(user=user).filter(slug=slug).first() if slug else None
    if organisation is None:
        raise Http404
    return organisation


def retention_terms_of(*, organisation: Organisation) -> dict:
    """The client's own terms {rule code: days}; rules without one use their default."""
    return dict(
        RetentionSetting.objects.filter(organisation=organisation).values_list("rule", "days")
    )


def erasure_waiting_for(*, user) -> PrivacyRequest | None:
    """The user's own erasure request that waits for the admin, if any."""
    return PrivacyRequest.objects.filter(
        organisation_id=user.organisation_id,
        action=PrivacyRequest.Action.ERASE,
        status=PrivacyRequest.Status.PENDING,
        subject__iexact=user.email,
    ).first()
