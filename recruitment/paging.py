"""`paginate` in one query: the page's rows each carry the number of all rows.

`programmes.pagination.paginate` costs a COUNT and a sliced query; here the sliced query counts
the rows itself (`COUNT(*) OVER ()`, computed before the LIMIT), so a list page pays for one
statement. The page answered is the one `paginate` answers for every `?page=` value: a page
past the end (or a value that is no page number) goes the usual way, with its COUNT.
"""

from collections.abc import Callable, Hashable

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from programmes import statements
from programmes.pagination import PER_PAGE, paginate

from .selectors import Counted

_TOTAL = "rows_in_all"  # the window's column on each row


def _page_number(request) -> int:
    """`?page=` as a page number, 0 for anything else (missing is 1)."""
    asked = request.GET.get("page") or "1"
    return int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 10 else 0


def paginate_counted(request, queryset: QuerySet, *, per_page: int = PER_PAGE) -> Page:
    """The page of `queryset` (ordered; model rows or `values()` rows) that `?page=` asks
    for, `per_page` rows each, in one query when the page has rows."""
    number = _page_number(request)
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


def paginate_compiled(
    request,
    key: Hashable,
    build: Callable,
    values: dict,
    *,
    names: tuple[str, ...],
    per_page: int = PER_PAGE,
) -> Page:
    """`paginate_counted` for the `values_list(*names)` queryset `build()` returns, with the
    marks of `values` (programmes.statements): each page's statement is compiled once and
    run in the request's tenant scope; the rows are dicts of `names`."""
    number = _page_number(request)
    if number < 1:  # not a plain page number: the usual way
        rows = statements.CompiledRows(key, build, values, names=names, scoped=True)
        return paginate(request, rows, per_page=per_page)
    start = (number - 1) * per_page

    def counted():
        return build().annotate(**{_TOTAL: Window(Count("*"))})

    # The page's bounds are parameters of the one statement (LIMIT and OFFSET).
    found = statements.rows(
        (key, "counted"), counted, values, scoped=True, limit=per_page, offset=start
    )
    if not found and number > 1:  # past the end: the last page, as paginate answers
        rows = statements.CompiledRows(key, build, values, names=names, scoped=True)
        return paginate(request, rows, per_page=per_page)
    total = found[0][-1] if found else 0
    rows = [dict(zip(names, row[:-1], strict=True)) for row in found]
    return Page(rows, number, Paginator(_Known(total), per_page))


class _Known:
    """A list of `total` rows whose page is already read: what the paginator asks of it."""

    ordered = True

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total
