"""Querysets the ORM builds and compiles once, run many times with each request's values.

Building and compiling a query costs more Python than running it (0.5 to 1.5 ms a query; a
trivial page is about 2.5 ms), and the patrol pages' lists ask several. A statement whose shape
depends only on a few things (how many ids a list has, the active tenant scope, the time zone)
is compiled once for stand-in values, marks, and each request runs that SQL with its own values
put in place of the marks: the statement the ORM would have built, its rows converted as the
ORM converts them (dates, durations, decimals), without building it again.

A mark is a value no request has: a negative id, a day or moment in 1901. The tenant scope of
the request (django-scopes) is compiled in as marks too, so a scoped model keeps its
organisation filter.
"""

import datetime as dt
from collections.abc import Callable, Hashable

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils import timezone
from django_scopes import get_scope, scope, scopes_disabled

from programmes.pagination import PER_PAGE

# (database alias, key, scope shape, time zone) -> (SQL, marked parameters, compiler,
# converters, column names).
_compiled: dict[tuple, tuple] = {}
# Keys that depend on the length of a list (ids of a page) stay few; past this many entries
# the cache starts afresh rather than grow.
_MAX_ENTRIES = 2_000

_ORG_MARKS = 1_000


def mark(n: int) -> int:
    """The `n`th stand-in for an id (n >= 0)."""
    return -987_640_000 - n


def day_mark(n: int) -> dt.date:
    """The `n`th stand-in for a date."""
    return dt.date(1901, 1, 1) + dt.timedelta(days=n)


def moment_mark(n: int) -> dt.datetime:
    """The `n`th stand-in for an aware moment."""
    return dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n)


def id_marks(values, first: int = 0) -> tuple[list[int], dict]:
    """Marks for a list of ids (from the `first`th mark on) and their {mark: id}."""
    marks = [mark(first + i) for i in range(len(values))]
    return marks, dict(zip(marks, values, strict=True))


def loaded(model, values: dict):
    """An instance of `model` with only `values` ({attname: value}) loaded, as `only()` loads
    it (`from_db` takes the values in the order of the model's fields)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db("default", names, [values[name] for name in names])


def _scope():
    """(shape, the scope with marks, {mark: value}) of the active tenant scope."""
    current = get_scope()
    if not current.get("_enabled", True):
        return ("off",), None, {}
    if "organisation" not in current:
        return ("none",), None, {}
    value = current["organisation"]
    if isinstance(value, (list, tuple)):
        marks = [mark(_ORG_MARKS + i) for i in range(len(value))]
        return ("many", len(value)), marks, dict(zip(marks, value, strict=True))
    if value is None:
        return ("null",), None, {}
    return ("one",), mark(_ORG_MARKS), {mark(_ORG_MARKS): value}


def _adapt(connection, value):
    """`value` as the ORM passes it to the database in a filter."""
    if not isinstance(value, dt.date):
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return connection.ops.adapt_datefield_value(value)


def _params(connection, marked: tuple, values: dict, scope_values: dict) -> list:
    """The statement's parameters with the request's values in place of the marks."""
    swap = {_adapt(connection, m): _adapt(connection, v) for m, v in values.items()}
    swap = {**swap, **scope_values}
    return [
        swap.get(p, p) if isinstance(p, (int, str, dt.date)) and not isinstance(p, bool) else p
        for p in marked
    ]


def _compile(key: Hashable, build: Callable, using: str):
    shape, scoped, scope_values = _scope()
    cache_key = (using, key, shape, timezone.get_current_timezone_name())
    entry = _compiled.get(cache_key)
    if entry is None:
        if shape == ("off",):
            context = scopes_disabled()
        elif shape == ("none",):
            context = scope()
        else:
            context = scope(organisation=scoped)
        with context:
            qs = build()
            query = qs.query
            compiler = query.get_compiler(using)
            sql, params = compiler.as_sql()
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if len(_compiled) >= _MAX_ENTRIES:
            _compiled.clear()
        entry = (sql, tuple(params), compiler, compiler.get_converters(fields), names)
        _compiled[cache_key] = entry
    return entry, scope_values


def rows(
    key: Hashable,
    build: Callable,
    values: dict,
    *,
    using: str = "default",
    limit: int | None = None,
    offset: int = 0,
) -> list[list]:
    """The rows of the queryset `build()` returns (a `values()` or `values_list()` one, built
    with marks where the request's values go), compiled once per `key`, with `values` (mark ->
    value) in place of the marks; converted as the ORM converts them. `limit` and `offset`
    slice it as `[offset:offset + limit]` would (the slice is a parameter, not a new
    statement)."""
    (sql, marked, compiler, converters, _names), scope_values = _compile(key, build, using)
    connection = connections[using]
    params = _params(connection, marked, values, scope_values)
    if limit is not None:
        sql = f"{sql} LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if converters:
        return list(compiler.apply_converters(found, converters))
    return [list(row) for row in found]


def dicts(key: Hashable, build: Callable, values: dict, **kwargs) -> list[dict]:
    """`rows`, each as {name: value} as `values()` gives it."""
    found = rows(key, build, values, **kwargs)
    names = _compiled_names(key, kwargs.get("using", "default"))
    return [dict(zip(names, row, strict=True)) for row in found]


def _compiled_names(key: Hashable, using: str) -> list[str]:
    shape, _scoped, _values = _scope()
    return _compiled[(using, key, shape, timezone.get_current_timezone_name())][4]


def count(
    key: Hashable,
    build: Callable,
    values: dict,
    *,
    using: str = "default",
    as_is: bool = False,
    statement: str = "SELECT COUNT(*) FROM ({}) counted",
) -> int:
    """How many rows the queryset `build()` has (`qs.count()`), compiled once per `key`;
    `as_is`: count the rows `build()` selects as they are (a sliced queryset: a capped
    count). `statement`: the count around the queryset's SQL."""
    (sql, marked, _c, _v, _n), scope_values = _compile(
        ("count", key), build if as_is else lambda: build().order_by().values("pk"), using
    )
    connection = connections[using]
    params = _params(connection, marked, values, scope_values)
    with connection.cursor() as cursor:
        # `sql` is the ORM's own statement; the values travel as parameters.
        cursor.execute(statement.format(sql), params)
        return cursor.fetchone()[0]


class _Paginator(Paginator):
    """Django's paginator over a statement compiled once: the count given, each page's rows
    read with the page's LIMIT and OFFSET as parameters."""

    def __init__(self, fetch: Callable, count: int, per_page: int):
        super().__init__([], per_page)
        self.__dict__["count"] = count  # the cached property, known already
        self._fetch = fetch

    def page(self, number):
        number = self.validate_number(number)
        found = self._fetch((number - 1) * self.per_page, self.per_page)
        return self._get_page(found, number, self)


def paginate(
    request,
    key: Hashable,
    build: Callable,
    values: dict,
    *,
    convert: Callable = list,
    counted: Callable | None = None,
    per_page: int = PER_PAGE,
    using: str = "default",
) -> Page:
    """The page of the queryset `build()` (an ordered `values_list()`) the request asks for
    (`?page=`, as `programmes.pagination.paginate` answers it): one COUNT and the page's rows,
    both compiled once per `key`; `convert` turns the page's rows into its objects. `counted`:
    the queryset to count when `build()` joins what the count does not need."""

    def fetch(offset: int, limit: int):
        return convert(rows(key, build, values, using=using, limit=limit, offset=offset))

    total = count(key, counted or build, values, using=using)
    paginator = _Paginator(fetch, total, per_page)
    return paginator.get_page(request.GET.get("page"))
