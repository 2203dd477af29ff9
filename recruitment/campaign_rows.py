"""The campaign page's lists as HTML, written here rather than as template loops: the channels,
the streets covered door to door and the applicants per way heard of. At 50 streets the
template engine's cost per variable, tag and filter was most of the page's time. The markup
and texts are the ones the template had (the same msgids: the catalogue is unchanged).

Every value from the database is escaped (`escape`, as the template's autoescape)."""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from programmes.dates import datetime_formatter

from .models import Channel


def channels_html(channels) -> SafeString:
    """One line per channel (`kind`, `date`, `reach`): date, kind and its reach; "" for none."""
    kinds = {value: escape(str(label)) for value, label in Channel.Kind.choices}
    day = datetime_formatter("j N Y")
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<p class="mb-1">{escape(day(c.date))} · <strong>'
            f"{kinds.get(c.kind, escape(c.kind))}</strong>"
            f"{f' · {escape(c.reach)}' if c.reach else ''}</p>"
            for c in channels
        )
    )


def coverage_html(rows) -> SafeString:
    """The streets of a page of `door_coverage` (dicts): doors, not at home, interested."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<tr><td>{escape(r["street"])}</td><td class="text-end">{r["doors"]}</td>'
            f'<td class="text-end">{r["not_home"]}</td>'
            f'<td class="text-end">{r["interested"]}</td></tr>'
            for r in rows
        )
    )


def figures_html(rows) -> SafeString:
    """The rows of `channel_figures_for`: per way heard of, the campaign's channels of that
    kind (dates only on a small screen) and the applications by how far they got."""
    day, short_day = datetime_formatter("j N Y"), datetime_formatter("j N")
    html = []
    for row in rows:
        used = row["used"]
        short = ""
        if used:
            short = (
                '<span class="d-block d-md-none text-body-secondary">'
                + ", ".join(escape(short_day(u["date"])) for u in used)
                + "</span>"
            )
        if used:
            long = "<br>".join(
                escape(day(u["date"])) + (f" · {escape(u['reach'])}" if u["reach"] else "")
                for u in used
            )
        else:
            long = '<span class="text-body-secondary">–</span>'
        html.append(
            f'<tr><th scope="row" class="fw-normal">{escape(row["label"])}{short}</th>\n'
            f'      <td class="d-none d-md-table-cell">{long}</td>\n'
            f'      <td class="text-end">{row["applications"]}</td>'
            f'<td class="text-end">{row["waiting"]}</td>'
            f'<td class="text-end">{row["selected"]}</td>'
            f'<td class="text-end">{row["not_selected"]}</td></tr>\n    '
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped
