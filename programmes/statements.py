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

from django.db import connections
from django_scopes import get_scope, scope, scopes_disabled

# (database alias, key) -> (SQL, its parameters with the marks in place of the values).
_compiled: dict[tuple[str, Hashable], tuple] = {}
# Keys whose statement depends on the length of a list (ids of a page) stay few: a page has
# at most 50 rows; past this many entries the cache starts afresh rather than grow.
_MAX_ENTRIES = 2_000
# The marks of a scope's organisations start here.
_SCOPE = 1_000_000
_MARKABLE = (int, str, dt.date, dt.datetime)


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


def compiled(key: Hashable, build: Callable, using: str, counted: bool = False) -> tuple:
    """(SQL, parameters, compiler, converters) of the queryset `build()` returns, compiled
    once per `key` and database, outside any tenant scope (the statement names its
    organisations itself, or `rows(scoped=True)` marks them)."""
    entry = _compiled.get((using, key, counted))
    if entry is None:
        with scopes_disabled():
            compiler = build().query.get_compiler(using)
            sql, params = compiler.as_sql()
        if counted:
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 - the ORM's own SQL
        # What turns the database's values into Python's (a moment stored as text on
        # SQLite), as the ORM applies them.
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        if len(_compiled) >= _MAX_ENTRIES:
            _compiled.clear()
        entry = _compiled[(using, key, counted)] = (sql, tuple(params), compiler, converters)
    return entry


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


def count(key: Hashable, build: Callable, values: dict, using: str = "default", **kwargs) -> int:
    """How many rows `rows(key, build, ...)` would give, counted by the database."""
    return rows(key, build, values, using, counted=True, **kwargs)[0][0]


def dicts(key: Hashable, build: Callable, values: dict, using: str = "default", **kwargs):
    """The rows of `rows(key, build, ...)` as dicts, for a `values()` queryset: what the
    queryset itself would give."""
    found, compiler = _run(key, build, values, using, **kwargs)
    query = compiler.query
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    return [dict(zip(names, row, strict=True)) for row in found]


class CompiledRows:
    """Rows for `pagination.paginate` whose COUNT and each page are compiled statements (see
    `rows`); each row is a dict of `names` (the columns of the values() queryset `build`
    returns, in their order), or its one value with `flat`. A page is read when it is first
    used, so a page of ids can instead go into the statement that reads their rows
    (`CompiledSlice.rows_of`): one query, as a sliced queryset in `pk__in` is."""

    ordered = True

    def __init__(self, key, build, values, *, names=(), using="default", scoped=False, flat=False):
        self.key, self.build, self.values = key, build, values
        self.names, self.using, self.scoped, self.flat = names, using, scoped, flat

    def count(self) -> int:
        build = self.build
        return count(
            self.key, lambda: build().order_by(), self.values, self.using, scoped=self.scoped
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
    counted: bool = False,
) -> tuple[list, object]:
    """The rows of the statement `compiled(key, build)` with `values` (mark -> value) in
    place of its marks. With `scoped`, `build` runs in the request's tenant scope with a mark
    for each of its organisations, so the statement keeps the scope's filter."""
    connection = connections[using]
    values = dict(values)
    for mark in [mark for mark in values if isinstance(mark, dt.date)]:
        values[_prepared(mark, connection)] = _prepared(values.pop(mark), connection)
    if scoped:
        current = get_scope()
        if not current.get("_enabled", True):
            key = (key, "unscoped")
        else:
            organisation = current.get("organisation")
            if isinstance(organisation, (list, tuple)):
                if not organisation:  # a scope of no organisations: no rows
                    return ([(0,)] if counted else []), build().query.get_compiler(using)
                marks = [id_mark(_SCOPE + i) for i in range(len(organisation))]
                values |= dict(zip(marks, organisation, strict=True))
            else:
                marks = id_mark(_SCOPE)
                values[marks] = organisation
            key = (key, "scoped", len(organisation) if isinstance(marks, list) else None)
            inner = build

            def build():
                with scope(organisation=marks):
                    return inner()

    sql, marked, compiler, converters = compiled(key, build, using, counted)
    params = [_filled(p, values, connection) for p in marked]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if converters and not counted:
        found = [tuple(row) for row in compiler.apply_converters(found, converters)]
    return found, compiler


def rows(key: Hashable, build: Callable, values: dict, using: str = "default", **kwargs):
    """The rows (tuples) of the statement `compiled(key, build)` with `values` (mark ->
    value) in place of its marks; see `_run`."""
    return _run(key, build, values, using, **kwargs)[0]
