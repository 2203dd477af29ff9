"""The two file formats of an export, each written row by row so memory stays flat at any
number of rows.

CSV is a `StreamingHttpResponse`: the rows are read from the database in chunks and every
cell passes `programmes.exports.csv_safe` (a text that a spreadsheet would run as a formula
gets a leading '). XLSX is written by XlsxWriter in `constant_memory` mode (each row leaves
memory for a temporary file once the next begins) into a temporary file, then sent as a
`FileResponse` in blocks. Text is always written as a text cell (`write_string`), never as a
formula: a street named `=HYPERLINK(...)` stays that text. Dates and moments are real date
cells in Europe/Amsterdam time, with a Dutch date format.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from programmes.exports import csv_safe

from .datasets import BOOL, DATE, DATETIME, NUMBER, Export

# Rows per piece of the streamed CSV: one piece is a few hundred kilobytes at most.
CSV_ROWS_PER_PIECE = 500
# A worksheet holds 1,048,576 rows; past it the rows go on in a new sheet.
XLSX_MAX_ROWS = 1_048_576

# Above these many rows an export is not streamed in the request but made by a background
# task (`reporting.services.exports`), its file downloaded when ready. Chosen so a request
# stays near 10 seconds at the slowest rate measured (bench/reporting_export.py, on a loaded
# 2-core machine: CSV 2,914 rows/s, XLSX 956 rows/s; 9,023 and 2,535 rows/s when less busy),
# well under the 30 seconds after which a proxy or a worker gives up on a request. XLSX
# sends its first byte only once the whole workbook is written, so its limit is the lower.
STREAM_MAX_ROWS = {"csv": 30_000, "xlsx": 10_000}

CSV_TYPE = "text/csv; charset=utf-8"
# Day 0 of a spreadsheet's dates (1900 date system, as Excel counts): a date cell is the number
# of days since, shown through a date format. Computed here rather than by `write_datetime`,
# whose checks per cell cost more than the rest of the row.
_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_DAY = _EPOCH.date()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value, kind: str, yes: str, no: str):
    if value is None:
        return ""
    if kind == DATE:
        return value.isoformat()
    if kind == DATETIME:
        return f"{value:%Y-%m-%d %H:%M}"
    if kind == BOOL:
        return yes if value else no
    if kind == NUMBER and isinstance(value, float):
        # Dutch spreadsheets read a decimal comma.
        return f"{value:.1f}".replace(".", ",")
    return csv_safe(value)


class _Pieces:
    """A file-like object that collects what the csv writer writes, handed out in pieces."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        piece = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        return piece


def csv_lines(export: Export) -> Iterator[bytes]:
    """The CSV file of `export` in pieces: a byte-order mark (so spreadsheet programs read the
    accents right), the header and the rows, semicolon-separated as Dutch spreadsheet
    programs expect, every text cell made safe."""
    yes, no = _("yes"), _("no")
    kinds = [c.kind for c in export.columns]
    buffer = _Pieces()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow([csv_safe(c.header) for c in export.columns])
    for n, row in enumerate(export.rows, start=1):
        writer.writerow(
            [_csv_cell(value, kind, yes, no) for value, kind in zip(row, kinds, strict=True)]
        )
        if n % CSV_ROWS_PER_PIECE == 0:
            yield buffer.take()
    yield buffer.take()


def write_csv(export: Export, target) -> None:
    """Write the CSV file of `export` to `target` (a binary file): the same bytes as the
    streamed download."""
    for piece in csv_lines(export):
        target.write(piece)


def csv_response(export: Export) -> StreamingHttpResponse:
    """The export as a streamed CSV download."""
    response = StreamingHttpResponse(csv_lines(export), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}.csv"'
    return response


def _sheet(workbook, export: Export, number: int, header_format, widths):
    name = export.sheet_name if number == 1 else f"{export.sheet_name} ({number})"
    sheet = workbook.add_worksheet(name[:31])
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for col, column in enumerate(export.columns):
        sheet.write_string(0, col, str(column.header), header_format)
    return sheet


def write_xlsx(export: Export, target) -> int:
    """Write `export` as an XLSX workbook to `target` (a path or a binary file); the number
    of data rows written."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            # Only write_string/number/datetime are used, but no text is ever read as a
            # formula, a link or a number whatever a later change calls.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    header_format = workbook.add_format({"bold": True})
    formats = {
        DATE: workbook.add_format({"num_format": "dd-mm-yyyy"}),
        DATETIME: workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"}),
        NUMBER: workbook.add_format({"num_format": "0.0"}),
    }
    yes, no = _("yes"), _("no")
    kinds = [c.kind for c in export.columns]
    widths = [c.width for c in export.columns]
    sheets = 1
    sheet = _sheet(workbook, export, sheets, header_format, widths)
    r = 0
    total = 0
    write_string, write_number = sheet.write_string, sheet.write_number
    for row in export.rows:
        r += 1
        if r == XLSX_MAX_ROWS:
            sheets += 1
            sheet = _sheet(workbook, export, sheets, header_format, widths)
            write_string, write_number = sheet.write_string, sheet.write_number
            r = 1
        total += 1
        for col, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if value is None or value == "":
                continue
            if kind == DATETIME:  # the spreadsheet's serial day number, with a date format
                delta = value - _EPOCH
                write_number(r, col, delta.days + delta.seconds / 86400, formats[kind])
            elif kind == DATE:
                write_number(r, col, (value - _EPOCH_DAY).days, formats[kind])
            elif kind == BOOL:
                write_string(r, col, yes if value else no)
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                write_number(r, col, value, formats.get(kind))
            else:
                write_string(r, col, str(value))
    workbook.close()
    return total


def xlsx_response(export: Export) -> FileResponse:
    """The export as an XLSX download: written to a temporary file (gone when the response is
    closed), sent in blocks."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    write_xlsx(export, handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"{export.filename}.xlsx", content_type=XLSX_TYPE
    )
