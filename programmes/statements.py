"""Statements the ORM builds once and requests run many times.

Building and compiling a query costs more Python than running it (0.5 to 1.5 ms a query, a
trivial page is about 2.5 ms). A statement whose shape depends only on a few things (the role,
how many ids a list has) is compiled once per such key for stand-in values, marks, and each
request runs that SQL with its own values put in place of the marks: the same statement the
ORM would have built, without building it again. `context_processors._badge_statement` and
`mixins._programme_statement` follow the same pattern by hand.

A mark is a negative number no real row has (ids) or a text no request sends (slugs).
"""

from collections.abc import Callable, Hashable

from django.db import connections
from django_scopes import scopes_disabled

# (database alias, key) -> (SQL, its parameters with the marks in place of the values).
_compiled: dict[tuple[str, Hashable], tuple[str, tuple]] = {}
# Keys whose statement depends on the length of a list (ids of a page) stay few: a page has
# at most 50 rows; past this many entries the cache starts afresh rather than grow.
_MAX_ENTRIES = 2_000


def id_mark(n: int) -> int:
    """The `n`th stand-in for an id (n >= 0)."""
    return -987_650_000 - n


def text_mark(n: int) -> str:
    """The `n`th stand-in for a text value such as a slug."""
    return f"\x00mark{n}\x00"


def compiled(key: Hashable, build: Callable, using: str) -> tuple[str, tuple]:
    """(SQL, parameters) of the queryset `build()` returns, compiled once per `key` and
    database, outside any tenant scope (the statement names its organisations itself)."""
    entry = _compiled.get((using, key))
    if entry is None:
        with scopes_disabled():
            sql, params = build().query.get_compiler(using).as_sql()
        if len(_compiled) >= _MAX_ENTRIES:
            _compiled.clear()
        entry = _compiled[(using, key)] = (sql, tuple(params))
    return entry


def rows(key: Hashable, build: Callable, values: dict, using: str = "default") -> list[tuple]:
    """The rows of the statement `compiled(key, build)` with `values` (mark -> value) in
    place of its marks."""
    sql, marked = compiled(key, build, using)
    params = [values.get(p, p) if type(p) in (int, str) else p for p in marked]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
