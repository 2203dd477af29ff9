"""The patrol pages' statements compiled once (`programmes.statements`), always in the
request's tenant scope: the scope is compiled in as marks, so a scoped model keeps its
organisation filter.

Building and compiling a query costs more Python than running it (0.5 to 1.5 ms a query; a
trivial page is about 2.5 ms), and the patrol pages' lists ask several. Rows come as lists,
converted as the ORM converts them (dates, durations, decimals).
"""

from collections.abc import Callable, Hashable

from programmes import statements
from programmes.statements import COUNT, paginate  # noqa: F401 - the patrol pages' API
from programmes.statements import date_mark as day_mark  # noqa: F401
from programmes.statements import datetime_mark as moment_mark  # noqa: F401
from programmes.statements import id_mark as mark


def id_marks(values, first: int = 0) -> tuple[list[int], dict]:
    """Marks for a list of ids (from the `first`th mark on) and their {mark: id}."""
    marks = [mark(first + i) for i in range(len(values))]
    return marks, dict(zip(marks, values, strict=True))


# (model, the names given) -> those names in the order of the model's fields.
_FIELD_ORDER: dict[tuple, list[str]] = {}


def loaded(model, values: dict):
    """An instance of `model` with only `values` ({attname: value}) loaded, as `only()` loads
    it (`from_db` takes the values in the order of the model's fields, worked out once per
    model and names)."""
    key = (model, tuple(values))
    names = _FIELD_ORDER.get(key)
    if names is None:
        names = _FIELD_ORDER[key] = [
            f.attname for f in model._meta.concrete_fields if f.attname in values
        ]
    return model.from_db("default", names, [values[name] for name in names])


def rows(key: Hashable, build: Callable, values: dict, *, using: str = "default", **kwargs):
    """The rows (lists) of the queryset `build()` returns (a `values()` or `values_list()`
    one, built with marks where the request's values go), compiled once per `key`; `limit`
    and `offset` slice it as parameters."""
    found = statements.rows(key, build, values, using, scoped=True, **kwargs)
    return [list(row) for row in found]


def count(
    key: Hashable,
    build: Callable,
    values: dict,
    *,
    using: str = "default",
    as_is: bool = False,
    statement: str = COUNT,
) -> int:
    """How many rows the queryset `build()` has (`qs.count()`), compiled once per `key`;
    `as_is`: count the rows `build()` selects as they are (a sliced queryset: a capped
    count). `statement`: the count around the queryset's SQL."""
    counted = build if as_is else lambda: build().order_by().values("pk")
    return statements.count(
        ("count", key), counted, values, using, scoped=True, statement=statement
    )
