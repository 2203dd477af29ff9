"""Statements the ORM builds once and requests run many times.

Building and compiling a query costs more Python than running it (0.5 to 1.5 ms a query, a
trivial page is about 2.5 ms). A statement whose shape depends only on a few things (the role,
how many ids a list has) is compiled once per such key for stand-in values, marks, and each
request runs that SQL with its own values put in place of the marks: the same statement the
ORM would have built, without building it again. `context_processors._badge_statement` and
`mixins._programme_statement` follow the same pattern by hand.

A mark is a negative number no real row has (ids) or a text no request sends (slugs).
"""

import datetime as dt
from collections.abc import Callable, Hashable

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils import timezone
from django_scopes import get_scope, scope, scopes_disabled

from .pagination import PER_PAGE

# (database alias, key, wrapper, scope shape, time zone) -> (SQL, its parameters with the
# marks in place of the values, compiler, converters, column names).
_compiled: dict[tuple, tuple] = {}
# Keys whose statement depends on the length of a list (ids of a page) stay few: a page has
# at most 50 rows; past this many entries the cache starts afresh rather than grow.
_MAX_ENTRIES = 2_000
# The marks of a scope's organisations start here.
_SCOPE = 1_000_000
_MARKABLE = (int, str, dt.date, dt.datetime)
# What `count` puts around a statement.
COUNT = "SELECT COUNT(*) FROM ({}) counted"


def id_mark(n: int) -> int:
    """The `n`th stand-in for an id (n >= 0)."""
    return -987_650_000 - n


def text_mark(n: int) -> str:
    """The `n`th stand-in for a text value such as a slug."""
    return f"\x00mark{n}\x00"


def date_mark(n: int) -> dt.date:
    """The `n`th stand-in for a date (a day no record has: the year 1901)."""
    return dt.date(1901, 1, 1) + dt.timedelta(days=n)


def datetime_mark(n: int) -> dt.datetime:
    """The `n`th stand-in for a moment (in 1901, in UTC)."""
    return dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n)


def _scope_of(scoped: bool):
    """(shape, the scope with marks, {mark: value}) of the active tenant scope when `scoped`;
    a statement that is not scoped is compiled outside any scope (it names its
    organisations itself)."""
    if not scoped:
        return ("unscoped",), None, {}
    current = get_scope()
    if not current.get("_enabled", True):
        return ("off",), None, {}
    if "organisation" not in current:
        return ("none",), None, {}
    value = current["organisation"]
    if isinstance(value, (list, tuple)):
        marks = [id_mark(_SCOPE + i) for i in range(len(value))]
        return ("many", len(value)), marks, dict(zip(marks, value, strict=True))
    if value is None:
        return ("null",), None, {}
    return ("one",), id_mark(_SCOPE), {id_mark(_SCOPE): value}


def compiled(key: Hashable, build: Callable, using: str, *, scoped: bool = False, wrap=None):
    """((SQL, parameters, compiler, converters, column names), {scope mark: value}) of the
    queryset `build()` returns, compiled once per `key`, database, wrapper, tenant scope shape
    and time zone. With `scoped`, `build` runs in the request's tenant scope with a mark for
    each of its organisations, so the statement keeps the scope's filter. `wrap`: a statement
    around it (`COUNT`)."""
    shape, marks, scope_values = _scope_of(scoped)
    cache_key = (using, key, wrap, shape, timezone.get_current_timezone_name())
    entry = _compiled.get(cache_key)
    if entry is None:
        if shape in {("unscoped",), ("off",)}:
            context = scopes_disabled()
        elif shape == ("none",):
            context = scope()
        else:
            context = scope(organisation=marks)
        with context:
            query = build().query
            compiler = query.get_compiler(using)
            sql, params = compiler.as_sql()
        if wrap:
            sql = wrap.format(sql)
        # What turns the database's values into Python's (a moment stored as text on
        # SQLite), as the ORM applies them.
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if len(_compiled) >= _MAX_ENTRIES:
            _compiled.clear()
        entry = _compiled[cache_key] = (sql, tuple(params), compiler, converters, names)
    return entry, scope_values


def _prepared(value, connection):
    """A date or moment as the database's parameters hold it (text on SQLite)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _filled(param, values: dict, connection):
    """`param` of a compiled statement with the request's value for its mark, if it is one;
    a text that holds a mark inside it is a LIKE pattern (`icontains`), whose value is escaped
    as the ORM escapes it."""
    if type(param) not in _MARKABLE:
        return param
    if param in values:
        return values[param]
    if type(param) is str and "\x00mark" in param:
        for mark, value in values.items():
            if type(mark) is str and mark in param:
                param = param.replace(mark, connection.ops.prep_for_like_query(value))
    return param


def count(
    key: Hashable,
    build: Callable,
    values: dict,
    using: str = "default",
    *,
    statement: str = COUNT,
    **kwargs,
) -> int:
    """How many rows `rows(key, build, ...)` would give, counted by the database;
    `statement`: the count around the queryset's SQL (a capped count, say)."""
    return _run(key, build, values, using, counted=statement, **kwargs)[0][0][0]


def dicts(key: Hashable, build: Callable, values: dict, using: str = "default", **kwargs):
    """The rows of `rows(key, build, ...)` as dicts, for a `values()` queryset: what the
    queryset itself would give."""
    found, names = _run(key, build, values, using, **kwargs)
    return [dict(zip(names, row, strict=True)) for row in found]


class CompiledRows:
    """Rows for `pagination.paginate` whose COUNT and each page are compiled statements (see
    `rows`); each row is a dict of `names` (the columns of the values() queryset `build`
    returns, in their order), or its one value with `flat`. A page is read when it is first
    used, so a page of ids can instead go into the statement that reads their rows
    (`CompiledSlice.rows_of`): one query, as a sliced queryset in `pk__in` is."""

    ordered = True

    def __init__(
        self,
        key,
        build,
        values,
        *,
        names=(),
        using="default",
        scoped=False,
        flat=False,
        counted=None,
    ):
        self.key, self.build, self.values = key, build, values
        self.names, self.using, self.scoped, self.flat = names, using, scoped, flat
        # What to count when `build()` joins or merges what the count does not need.
        self.counted = counted

    def count(self) -> int:
        build = self.counted or self.build
        return count(
            ("count", self.key) if self.counted else self.key,
            lambda: build().order_by(),
            self.values,
            self.using,
            scoped=self.scoped,
        )

    def __getitem__(self, item: slice) -> "CompiledSlice":
        return CompiledSlice(self, item.start or 0, item.stop)


class CompiledSlice:
    """A page of `CompiledRows`, read when first iterated or measured."""

    def __init__(self, source: CompiledRows, start: int, stop: int | None):
        self.source, self.start, self.stop = source, start, stop
        self._rows = None

    def _fetch(self) -> list:
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def _read(self) -> list:
        start, stop, source = self.start, self.stop, self.source
        if stop is not None and stop <= start:  # an empty list's only page
            return []
        build = source.build
        found = rows(
            (source.key, start, stop),
            lambda: build()[start:stop],
            source.values,
            source.using,
            scoped=source.scoped,
        )
        if source.flat:
            return [row[0] for row in found]
        return [dict(zip(source.names, row, strict=True)) for row in found]

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self) -> int:
        return len(self._fetch())

    def __bool__(self) -> bool:
        return bool(self._fetch())

    def __getitem__(self, item):
        return self._fetch()[item]

    def __eq__(self, other):
        return list(self) == list(other)

    __hash__ = None

    def rows_of(self, key: Hashable, rows_for: Callable) -> list[dict]:
        """The dicts of the values() queryset `rows_for(ids)` with this page of ids (a flat
        `CompiledRows`) as its subquery: one statement, compiled once per page bounds."""
        start, stop, source = self.start, self.stop, self.source
        if self._rows is not None or (stop is not None and stop <= start):
            if not self._fetch():
                return []
            return dicts(
                (key, "ids", len(self._fetch())),
                *_by_ids(rows_for, self._fetch()),
                source.using,
                scoped=source.scoped,
            )
        build = source.build
        return dicts(
            (key, source.key, start, stop),
            lambda: rows_for(build()[start:stop]),
            source.values,
            source.using,
            scoped=source.scoped,
        )


# Past this many organisations a list ordered by organisation stays one statement, sorted
# whole: a union of so many parts costs more to plan than the sort it saves.
MERGE_LIMIT = 40


def per_organisation(rows_of: Callable, marks: list, fields, order_by):
    """The values(*`fields`) of `rows_of(marks)` (a queryset of the rows of the organisations
    with these marks) in `order_by`, as one statement. With at most MERGE_LIMIT organisations
    it is the UNION ALL of `rows_of([mark])` for each: a list ordered by the organisation's
    name and then its own columns, with an index on (organisation, those columns), is then
    read in order from each organisation's part of the index and merged (SQLite's MERGE
    (UNION ALL)), where one statement over all the organisations sorts every row to show its
    first page. The statement's shape depends on the number of marks: key it by that."""
    if not marks or len(marks) > MERGE_LIMIT:
        return rows_of(marks).order_by(*order_by).values(*fields)
    first, *rest = [rows_of([mark]).order_by().values(*fields) for mark in marks]
    return (first.union(*rest, all=True) if rest else first).order_by(*order_by)


def dicts_of_ids(key: Hashable, rows_for: Callable, ids, using: str = "default") -> list[dict]:
    """The dicts of the values() queryset `rows_for(ids)` for a page of ids, in the tenant
    scope: with a page of a flat `CompiledRows` its ids are the statement's subquery (one
    query, as a sliced queryset in `pk__in` is); with a list, each id is a mark. Compiled
    once per `key` and page bounds or number of ids."""
    if isinstance(ids, CompiledSlice):
        return ids.rows_of(key, rows_for)
    ids = list(ids)
    if not ids:
        return []
    return dicts((key, len(ids)), *_by_ids(rows_for, ids), using, scoped=True)


def _by_ids(rows_for: Callable, ids: list) -> tuple[Callable, dict]:
    marks = [id_mark(i) for i in range(len(ids))]
    return (lambda: rows_for(marks)), dict(zip(marks, ids, strict=True))


def _run(
    key: Hashable,
    build: Callable,
    values: dict,
    using: str = "default",
    *,
    scoped: bool = False,
    counted: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list, list[str]]:
    """(rows, column names) of the statement `compiled(key, build)` with `values` (mark ->
    value) in place of its marks, converted as the ORM converts them. `counted`: the count
    statement around it instead. `limit` and `offset` slice it as `[offset:offset + limit]`
    would, as parameters of the one statement."""
    if scoped:
        current = get_scope()
        organisation = current.get("organisation") if current.get("_enabled", True) else None
        if isinstance(organisation, (list, tuple)) and not organisation:
            return ([(0,)] if counted else []), []  # a scope of no organisations: no rows
    connection = connections[using]
    entry, scope_values = compiled(key, build, using, scoped=scoped, wrap=counted)
    sql, marked, compiler, converters, names = entry
    values = {_prepared(m, connection): _prepared(v, connection) for m, v in values.items()}
    values |= scope_values
    params = [_filled(p, values, connection) for p in marked]
    if limit is not None:
        sql = f"{sql} LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if converters and not counted:
        found = [tuple(row) for row in compiler.apply_converters(found, converters)]
    return found, names


def rows(key: Hashable, build: Callable, values: dict, using: str = "default", **kwargs):
    """The rows (tuples) of the statement `compiled(key, build)` with `values` (mark ->
    value) in place of its marks; see `_run`."""
    return _run(key, build, values, using, **kwargs)[0]


class _KnownCount(Paginator):
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
    scoped: bool = True,
) -> Page:
    """The page of the queryset `build()` (an ordered `values_list()`) the request asks for
    (`?page=`, as `programmes.pagination.paginate` answers it): one COUNT and the page's rows,
    both compiled once per `key` (in the request's tenant scope unless not `scoped`);
    `convert` turns the page's rows into its objects. `counted`: the queryset to count when
    `build()` joins what the count does not need."""

    def fetch(offset: int, limit: int):
        found = rows(key, build, values, using, scoped=scoped, limit=limit, offset=offset)
        return convert(found)

    to_count = counted or build
    total = count(
        ("count", key), lambda: to_count().order_by().values("pk"), values, using, scoped=scoped
    )
    paginator = _KnownCount(fetch, total, per_page)
    return paginator.get_page(request.GET.get("page"))
