"""The dashboard's reads for the acting user: which programmes it covers, and their figures."""

from programmes.selectors import readable_programmes

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
    return period_figures(programmes=programmes, start=start, end=end, bucket=bucket)
