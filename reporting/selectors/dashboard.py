"""The dashboard's reads for the acting user: which programmes it covers, and their figures.

The figures of one set of programmes, period and bucket are kept in the cache until the
summaries' next refresh (at most `REPORTING_DASHBOARD_CACHE_SECONDS`): the dashboard states
its figures "as of" that refresh anyway, and a client who changes the period back and forth or
a team of staff opening the same dashboard then costs one computation, not one per request.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from programmes.selectors import readable_programmes

from ..models import SummaryState
from .figures import Figures, period_figures


def dashboard_figures_for(*, user, client, programme=None, start, end, bucket) -> Figures:
    """The figures of `programme` (already fetched for `user` through `get_programme_for`),
    or of every programme of `client` that `user` may read (a project leader: those they
    lead), for the Amsterdam dates [start, end)."""
    if programme is not None:
        programmes = [programme.pk]
    else:
        programmes = list(
            readable_programmes(user=user, organisation=client).values_list("pk", flat=True)
        )
    seconds = getattr(settings, "REPORTING_DASHBOARD_CACHE_SECONDS", 300)
    if seconds <= 0:
        return period_figures(programmes=programmes, start=start, end=end, bucket=bucket)
    today = timezone.localdate()
    key = _cache_key(sorted(programmes), start, end, bucket, today)
    figures = cache.get(key)
    if figures is None:
        figures = period_figures(
            programmes=programmes, start=start, end=end, bucket=bucket, today=today
        )
        cache.set(key, figures, seconds)
    return figures


def _cache_key(ids, start, end, bucket, today) -> str:
    """One key per programmes, period, bucket, day, language (the labels are translated) and
    summaries' refresh (a refresh makes every older entry unreachable)."""
    refreshed = (
        SummaryState.objects.filter(key="signals").values_list("refreshed_until", flat=True).first()
    )
    parts = [",".join(map(str, ids)), start, end, bucket, today, get_language(), refreshed]
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"reporting:figures:{digest}"
