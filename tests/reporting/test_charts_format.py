"""The charts format their numbers once per chart (`reporting.charts._formatter`): the text
must be exactly what `number_format` gives, in every language the site speaks."""

import pytest
from django.utils import translation
from django.utils.formats import number_format

from reporting.charts import _formatter, bar_chart

VALUES = [0, 7, -7, 999, 1000, -1000, 12345, 1234567, -9876543, 2.5, 1234.56, 0.04, None]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_formatter_writes_what_number_format_writes(language):
    with translation.override(language):
        fmt = _formatter()
        for value in VALUES:
            for decimals in (0, 1):
                expected = (
                    "–"
                    if value is None
                    else number_format(value, decimal_pos=decimals, force_grouping=True)
                )
                assert fmt(value, decimals) == expected, (value, decimals)


def test_a_chart_groups_thousands_the_dutch_way():
    with translation.override("nl"):
        chart = bar_chart(title="Meldingen", labels=["jan 27", "feb 27"], values=[1234567, 12])
    assert chart.rows == [["jan 27", "1.234.567"], ["feb 27", "12"]]
