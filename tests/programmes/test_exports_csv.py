"""CSV cells never run as spreadsheet formulas (programmes/exports.py)."""

import csv
import io
from decimal import Decimal

import pytest

from programmes.exports import SafeWriter, csv_response, csv_safe

DANGEROUS = [
    "=1+1",
    "+31 6 12345678",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    '   =HYPERLINK("http://evil.example")',
    "\u00a0=1+1",
    "\uff1dcmd|' /C calc'!A0",
    "\uff0b1",
    "\uff20SUM(A1)",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_starts_are_quoted(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Lindelaan 7", "a = b", "e-mail", "", "'=already text"])
def test_plain_text_is_left_alone(text):
    assert csv_safe(text) == text


def test_values_other_than_text():
    assert csv_safe(None) == ""
    assert csv_safe(-5) == -5 and csv_safe(Decimal("-1.5")) == Decimal("-1.5")
    assert csv_safe(["=1+1", "b"]) == "'=1+1, b"
    assert csv_safe(["a", "=1"]) == "a, =1"  # the cell starts with "a": a spreadsheet reads text
    assert csv_safe(True) == "True"


def test_writer_makes_every_cell_safe():
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerows([DANGEROUS, ["ok", 3, None]])
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows[0] == ["'" + text for text in DANGEROUS]
    assert rows[1] == ["ok", "3", ""]


def test_csv_response():
    response, writer = csv_response("resultaten")
    writer.writerow(["=1+1"])
    assert response["Content-Disposition"] == 'attachment; filename="resultaten.csv"'
    assert response.content.decode("utf-8") == "\ufeff'=1+1\r\n"
