"""What each export holds, column by column, and why nothing in it identifies a resident.

Four datasets of a period, for one programme or all the client's programmes the user reads:

- Signals: the reference (BT-<id>, as the client's own desk quotes it), neighbourhood, when it
  was reported, main and sub-category, status, street and house number, urgent, the date it is
  to be handled by, the day it was closed and whether that was on time. Street and number are
  what the client already sees of the signal in the portal (its list and its page); the
  "near ..." address the portal guesses for a signal without one is left out (an
  approximation, and a search per row). The description and the photos are left out: free
  text and images a member made on the street can name or show a resident.
- Rounds: date, start, end, hours, number of walkers and the scheduled round's area. Who
  walked is not in it (the effort export counts per member).
- Conversations: date and time, topic, how it went, whether there was aggression. A
  conversation records that a member spoke to a resident, never who: its free-text note (where
  a member might have written a name or an address) and who recorded it are left out.
- Effort: per calendar month and member of the team, rounds, hours, team meetings attended and
  whether that met the programme's obligation. Team members are volunteers on the client's
  programme, not residents the team meets: the client sees their effort in the portal already.

Labels are the translated names (status, category, topic, outcome), never raw codes; moments
are in Europe/Amsterdam time.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from patrols.models import Conversation
from patrols.workflow import CLOSED, Status

from ..selectors import exports as selectors

# The kinds of a column: how a value is written (a number with one decimal, a whole number,
# a date cell, a date-and-time cell, yes/no).
TEXT, NUMBER, INTEGER, DATE, DATETIME, BOOL = (
    "text",
    "number",
    "integer",
    "date",
    "datetime",
    "bool",
)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14  # in characters, for the XLSX sheet


@dataclass
class Export:
    """A dataset ready to write: its columns, its rows (an iterator of tuples of Python values
    in the columns' kinds: naive local dates and datetimes, numbers, booleans, text), the file
    name without extension and the sheet's name."""

    columns: list[Column]
    rows: Iterable[tuple]
    filename: str
    sheet_name: str


def _local(tz):
    """A function turning a stored (aware) moment into a naive Amsterdam datetime."""

    def local(value):
        return None if value is None else value.astimezone(tz).replace(tzinfo=None)

    return local


def _filename(label: str, scope: selectors.ExportScope) -> str:
    parts = [slugify(label), scope.organisation.slug]
    if scope.programme is not None:
        parts.append(slugify(scope.programme.neighbourhood or scope.programme.name))
    parts += [scope.start.isoformat(), scope.end.isoformat()]
    return "-".join(p for p in parts if p)


def _neighbourhoods(scope: selectors.ExportScope) -> dict[int, str]:
    return {pk: p.neighbourhood or p.name for pk, p in scope.programmes.items()}


def signals_export(*, scope, status: str = "", category: int | None = None) -> Export:
    """The signals of the period (see the module's docstring)."""
    columns = [
        Column(_("Reference"), width=12),
        Column(_("Neighbourhood"), width=18),
        Column(_("Reported"), DATETIME, width=17),
        Column(_("Category"), width=22),
        Column(_("Sub-category"), width=22),
        Column(_("Status"), width=16),
        Column(_("Street"), width=24),
        Column(_("House number"), width=10),
        Column(_("Urgent"), BOOL, width=9),
        Column(_("To be handled by"), DATE, width=12),
        Column(_("Closed on"), DATE, width=12),
        Column(_("On time"), BOOL, width=9),
    ]
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = _local(tz)
    today = timezone.now().astimezone(tz).date()
    places = _neighbourhoods(scope)
    categories = selectors.category_names(scope=scope)
    statuses = {value: str(label) for value, label in Status.choices}
    queryset = selectors.signal_rows(scope=scope, status=status, category=category)

    def rows() -> Iterator[tuple]:
        for (
            pk,
            programme_id,
            reported_at,
            category_id,
            code,
            street,
            number,
            urgent,
            due,
            closed_at,
        ) in queryset.iterator(chunk_size=selectors.CHUNK_SIZE):
            main, sub = categories.get(category_id, ("", ""))
            closed = local(closed_at).date() if closed_at is not None else None
            if code in CLOSED:
                on_time = None if closed is None else closed <= due
            else:  # still open: late once past its date, not yet known before
                on_time = False if due < today else None
            yield (
                f"BT-{pk}",
                places.get(programme_id, ""),
                local(reported_at),
                main,
                sub,
                statuses.get(code, code),
                street,
                number,
                urgent,
                due,
                closed if code in CLOSED else None,
                on_time,
            )

    label = _("Signals")
    return Export(columns, rows(), _filename(label, scope), label)


def rounds_export(*, scope) -> Export:
    """The rounds started in the period (see the module's docstring)."""
    columns = [
        Column(_("Neighbourhood"), width=18),
        Column(_("Date"), DATE, width=12),
        Column(_("Start"), DATETIME, width=17),
        Column(_("End"), DATETIME, width=17),
        Column(_("Hours"), NUMBER, width=8),
        Column(_("Walkers"), INTEGER, width=8),
        Column(_("Area"), width=24),
    ]
    local = _local(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    places = _neighbourhoods(scope)
    queryset = selectors.round_rows(scope=scope)

    def rows() -> Iterator[tuple]:
        for _pk, programme_id, started_at, ended_at, walkers, area in queryset.iterator(
            chunk_size=selectors.CHUNK_SIZE
        ):
            start = local(started_at)
            hours = None
            if ended_at is not None:
                hours = round((ended_at - started_at).total_seconds() / 3600, 1)
            yield (
                places.get(programme_id, ""),
                start.date(),
                start,
                local(ended_at),
                hours,
                walkers,
                area or "",
            )

    label = _("Rounds")
    return Export(columns, rows(), _filename(label, scope), label)


def conversations_export(*, scope) -> Export:
    """The conversations of the period, without their note or who recorded them (see the
    module's docstring)."""
    columns = [
        Column(_("Neighbourhood"), width=18),
        Column(_("Date"), DATE, width=12),
        Column(_("Time"), width=8),
        Column(_("Topic"), width=28),
        Column(_("How it went"), width=18),
        Column(_("Aggression"), BOOL, width=10),
    ]
    local = _local(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    places = _neighbourhoods(scope)
    topics = {value: str(label) for value, label in Conversation.Topic.choices}
    outcomes = {value: str(label) for value, label in Conversation.Outcome.choices}
    queryset = selectors.conversation_rows(scope=scope)

    def rows() -> Iterator[tuple]:
        for _pk, programme_id, reported_at, topic, outcome, aggression in queryset.iterator(
            chunk_size=selectors.CHUNK_SIZE
        ):
            at = local(reported_at)
            yield (
                places.get(programme_id, ""),
                at.date(),
                f"{at:%H:%M}",
                topics.get(topic, topic),
                outcomes.get(outcome, outcome),
                aggression,
            )

    label = _("Conversations")
    return Export(columns, rows(), _filename(label, scope), label)


def effort_export(*, scope) -> Export:
    """Each member's effort per calendar month the period touches (see the module's
    docstring); the obligation column is empty for a programme without an obligation."""
    columns = [
        Column(_("Month"), DATE, width=12),
        Column(_("Neighbourhood"), width=18),
        Column(_("Team member"), width=24),
        Column(_("Rounds"), INTEGER, width=8),
        Column(_("Hours"), NUMBER, width=8),
        Column(_("Team meetings"), INTEGER, width=14),
        Column(_("Obligation met"), BOOL, width=18),
    ]
    places = _neighbourhoods(scope)
    found = selectors.effort_rows(scope=scope)

    def rows() -> Iterator[tuple]:
        for row in found:
            yield (
                row.month,
                places.get(row.programme_id, ""),
                row.name,
                row.rounds,
                round(row.minutes / 60, 1),
                row.team_meetings,
                row.met,
            )

    label = _("Effort")
    return Export(columns, rows(), _filename(label, scope), label)


# The datasets by the name in the URL.
DATASETS = {
    "signals": signals_export,
    "rounds": rounds_export,
    "conversations": conversations_export,
    "effort": effort_export,
}


def scope_from_filters(*, user, organisation, dataset: str, filters: dict):
    """(scope, options) of an export as `user` asked for it with `filters` (plain values,
    already checked by the screen's form: the period's days as ISO dates, a programme's id,
    for signals a status and a main category). A programme the user no longer reads is a
    404."""
    scope = selectors.export_scope(
        user=user,
        organisation=organisation,
        programme_pk=filters.get("programme"),
        start=dt.date.fromisoformat(filters["start"]),
        end=dt.date.fromisoformat(filters["end"]),
    )
    options = {}
    if dataset == "signals":
        options = {"status": filters.get("status") or "", "category": filters.get("category")}
    return scope, options
