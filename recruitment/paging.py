"""`paginate` in one query: the page's rows each carry the number of all rows.

`programmes.pagination.paginate` costs a COUNT and a sliced query; here the sliced query counts
the rows itself (`COUNT(*) OVER ()`, computed before the LIMIT), so a list page pays for one
statement. The page answered is the one `paginate` answers for every `?page=` value: a page
past the end (or a value that is no page number) goes the usual way, with its COUNT.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from programmes.pagination import PER_PAGE, paginate

from .selectors import Counted

_TOTAL = "rows_in_all"  # the window's column on each row


def paginate_counted(request, queryset: QuerySet, *, per_page: int = PER_PAGE) -> Page:
    """The page of `queryset` (ordered; model rows or `values()` rows) that `?page=` asks
    for, `per_page` rows each, in one query when the page has rows."""
    asked = request.GET.get("page") or "1"
    number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 10 else 0
    if number < 1:
        return paginate(request, queryset, per_page=per_page)  # not a plain page number
    start = (number - 1) * per_page
    rows = list(queryset.annotate(**{_TOTAL: Window(Count("*"))})[start : start + per_page])
    if not rows:
        if number > 1:
            return paginate(request, queryset, per_page=per_page)  # past the end: the last
        total = 0
    else:
        first = rows[0]
        total = first[_TOTAL] if isinstance(first, dict) else getattr(first, _TOTAL)
    return Page(rows, number, Paginator(Counted(queryset, count=total), per_page))
