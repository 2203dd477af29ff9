"""Server-rendered charts: plain inline SVG, no script, the same in the browser and in
WeasyPrint PDFs, each with a table of its numbers for screen readers.

Stable API (the periodic report uses it too; keep the signatures):

    bar_chart(*, title, labels, values, unit="", decimals=0) -> Chart
        one bar per bucket (rounds per month, signals per week).
    stacked_bar_chart(*, title, labels, series) -> Chart
        bars per bucket split by series, `series` a list of (label, values) (signals by
        status); the legend lists them in order, the colours are colour-blind safe.
    horizontal_bar_chart(*, title, rows, unit="", decimals=0, max_value=None) -> Chart
        one bar per row, `rows` a list of (label, value) or (label, value, note): labels
        sit above their bars, so long category names stay readable on a phone.

    chart.html(table="details")  -> SafeString: <figure> with the SVG, the legend and the
        table; `table` is "details" (a collapsible table, the browser), "visible" (printed
        under the chart: the PDF) or "hidden" (visually hidden, screen readers only).
    chart.svg -> SafeString, chart.table -> (header, rows) for a page that lays out its own.

The SVG scales to its container (`viewBox`, width 100%) and is drawn 400 units wide with
11-unit text, readable at a phone's width; colours are presentation attributes (no inline
style, so the strict CSP and WeasyPrint both take it). The SVG itself is `aria-hidden`: the
table says the same in words and numbers, and the figure's caption names it.
"""

from dataclasses import dataclass
from html import escape
from itertools import count

from django.utils.formats import get_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Okabe-Ito: told apart with every common colour blindness; the first is the single series'.
PALETTE = ["#0b5c8c", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999"]
WIDTH = 400
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
TEXT = "#212529"
MUTED = "#6c757d"
_ids = count(1)


@dataclass
class Chart:
    """A chart ready to render: its SVG, its legend and the table of its numbers."""

    title: str
    svg: SafeString
    header: list[str]
    rows: list[list[str]]
    legend: list[tuple[str, str]]  # (colour, label)

    @property
    def table(self):
        return self.header, self.rows

    def html(self, table: str = "details") -> SafeString:
        """The figure: caption, SVG, legend and the table (see the module docstring)."""
        table_html = _table_html(self.title, self.header, self.rows)
        if table == "visible":
            numbers = table_html
        elif table == "hidden":
            numbers = f'<div class="visually-hidden">{table_html}</div>'
        else:
            numbers = (
                '<details class="chart-table"><summary>'
                + escape(_("Show the numbers"))
                + f"</summary>{table_html}</details>"
            )
        legend = ""
        if self.legend:
            items = "".join(
                '<li><svg width="12" height="12" aria-hidden="true" focusable="false">'
                f'<rect width="12" height="12" rx="2" fill="{c}"/></svg> {escape(label)}</li>'
                for c, label in self.legend
            )
            legend = (
                f'<ul class="chart-legend list-inline small mb-1" aria-hidden="true">{items}</ul>'
            )
        return mark_safe(  # noqa: S308 - every value escaped
            f'<figure class="chart"><figcaption class="chart-title">{escape(self.title)}'
            f"</figcaption>{self.svg}{legend}{numbers}</figure>"
        )

    def __html__(self) -> str:
        return self.html()


def _fmt(value, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def _formatter():
    """`_fmt` for one chart: the same text, with the language's separators looked up once
    rather than per number (a year per week is a thousand numbers). Whole numbers with a
    plain grouping of three are grouped by Python; anything else goes through `_fmt`."""
    lang = get_language()
    grouping = get_format("NUMBER_GROUPING", lang)
    separator = get_format("THOUSAND_SEPARATOR", lang)
    fast = grouping == 3 and isinstance(separator, str)

    def fmt(value, decimals: int = 0) -> str:
        if fast and not decimals and type(value) is int:
            return (
                f"{value:,}".replace(",", separator)
                if value >= 1000 or value <= -1000
                else str(value)
            )
        return _fmt(value, decimals)

    return fmt


def _table_html(title, header, rows) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f'<td class="text-end">{escape(c)}</td>' for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="table table-sm chart-numbers"><caption>{escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _nice_max(value: float) -> float:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _axis(value: float, *, whole: bool = True) -> tuple[float, int]:
    """(top, ticks) of a vertical axis: at most 5 ticks of a round step (1, 2 or 5 times a
    power of ten; at least 1 for `whole` numbers), so every tick reads as a plain number."""
    if value <= 0:
        return 1, 1
    power = 10 ** (len(str(int(value))) - 1) / 10 if value >= 1 else 0.1
    if whole:
        power = max(power, 1)
    while True:
        for step in (1, 2, 5):
            ticks = -(-value // (step * power))
            if ticks <= 5:
                return step * power * ticks, int(ticks)
        power *= 10


def _svg_open(height: int, title: str) -> str:
    return (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">'
        f"<title>{escape(title)}</title>"
    )


def _columns(labels, stacks, title, colours, decimals) -> SafeString:
    """Vertical bars, each a stack of values (one value: a plain bar)."""
    fmt = _formatter()
    height, top, bottom, left, right = 220, 14, 34, 34, 6
    plot_h = height - top - bottom
    plot_w = WIDTH - left - right
    totals = [sum(v or 0 for v in stack) for stack in stacks]
    top_value, ticks = _axis(max(totals, default=0), whole=decimals == 0)
    n = max(len(labels), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1)
    parts = [_svg_open(height, title)]
    for i in range(ticks + 1):  # grid lines and the axis's numbers
        value = top_value * i / ticks
        y = top + plot_h - plot_h * i / ticks
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(fmt(value, 0 if value == int(value) else 1))}</text>"
        )
    every = max(1, -(-n // 6))  # at most 6 labels under the bars, so they never touch
    for i, (label, stack) in enumerate(zip(labels, stacks, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for value, colour in zip(stack, colours, strict=False):
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
        if n <= 16 and totals[i]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'fill="{TEXT}" font-size="10">{escape(fmt(totals[i], decimals))}</text>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{left + slot * i + slot / 2:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle" fill="{TEXT}">{escape(str(label))}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped


def bar_chart(*, title: str, labels, values, unit: str = "", decimals: int = 0) -> Chart:
    """One bar per bucket; `unit` names the values in the table's header."""
    fmt = _formatter()
    labels, values = [str(label) for label in labels], list(values)
    svg = _columns(labels, [[v] for v in values], title, PALETTE[:1], decimals)
    rows = [[label, fmt(v, decimals)] for label, v in zip(labels, values, strict=True)]
    return Chart(title, svg, [_("Period"), unit or _("Number")], rows, [])


def stacked_bar_chart(*, title: str, labels, series) -> Chart:
    """Bars per bucket split by `series` ((label, values) pairs), with a legend."""
    fmt = _formatter()
    labels = [str(label) for label in labels]
    series = [(str(name), list(values)) for name, values in series]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    stacks = [[values[i] for _name, values in series] for i in range(len(labels))]
    svg = _columns(labels, stacks, title, colours, 0)
    header = [_("Period"), *(name for name, _v in series), _("Total")]
    rows = [
        [label, *(fmt(v) for v in stack), fmt(sum(stack))]
        for label, stack in zip(labels, stacks, strict=True)
    ]
    return Chart(title, svg, header, rows, list(zip(colours, (n for n, _v in series), strict=True)))


def horizontal_bar_chart(
    *, title: str, rows, unit: str = "", decimals: int = 0, max_value=None
) -> Chart:
    """One bar per row ((label, value) or (label, value, note)), the label above its bar and
    the value (and note) after it."""
    fmt = _formatter()
    rows = [(str(r[0]), r[1], str(r[2]) if len(r) > 2 and r[2] else "") for r in rows]
    line = 48 if any(note for _l, _v, note in rows) else 34
    top = 4
    height = top + line * max(len(rows), 1) + 4
    top_value = max_value or _nice_max(max((r[1] or 0 for r in rows), default=0))
    bar_room = WIDTH * 0.78
    parts = [_svg_open(height, title)]
    for i, (label, value, note) in enumerate(rows):
        y = top + line * i
        w = bar_room * (value or 0) / top_value if top_value else 0
        shown = fmt(value, decimals) + (f" {unit}" if unit and value is not None else "")
        parts.append(
            f'<text x="0" y="{y + 11}" fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="0" y="{y + 15}" width="{bar_room:.1f}" height="12" fill="#e9ecef"/>'
            f'<rect x="0" y="{y + 15}" width="{w:.1f}" height="12" fill="{PALETTE[0]}"/>'
            f'<text x="{bar_room + 6:.1f}" y="{y + 25}" fill="{TEXT}">{escape(shown)}</text>'
            + (
                f'<text x="0" y="{y + 40}" fill="{MUTED}" font-size="10">{escape(note)}</text>'
                if note
                else ""
            )
        )
    parts.append("</svg>")
    header = [_("Category"), unit or _("Number")] + ([_("Note")] if any(r[2] for r in rows) else [])
    table_rows = [
        [label, fmt(value, decimals)] + ([note] if len(header) > 2 else [])
        for label, value, note in rows
    ]
    svg = mark_safe("".join(parts))  # noqa: S308 - every value escaped
    return Chart(title, svg, header, table_rows, [])
