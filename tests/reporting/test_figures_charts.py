"""The server-rendered charts: plain SVG (no script), escaped text, and the numbers as a
table for screen readers."""

from xml.etree import ElementTree

from reporting.charts import bar_chart, horizontal_bar_chart, stacked_bar_chart


def _svg_root(chart):
    return ElementTree.fromstring(str(chart.svg))  # noqa: S314 - our own output


def test_a_bar_chart_draws_a_bar_per_value_and_tables_them():
    chart = bar_chart(title="Rondes", labels=["jan 27", "feb 27", "mrt 27"], values=[3, 0, 6])
    root = _svg_root(chart)
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert len(bars) == 2  # a zero draws nothing
    assert float(bars[1].get("height")) == 2 * float(bars[0].get("height"))
    html = chart.html()
    assert "<script" not in html and "style=" not in html
    assert "<details" in html and '<th scope="row">feb 27</th><td class="text-end">0</td>' in html


def test_a_stacked_chart_has_a_legend_and_a_total_column():
    chart = stacked_bar_chart(
        title="Meldingen", labels=["wk 1", "wk 2"], series=[("Nieuw", [1, 2]), ("Opgelost", [3, 0])]
    )
    header, rows = chart.table
    assert header[1:] == ["Nieuw", "Opgelost", header[-1]]
    assert rows == [["wk 1", "1", "3", "4"], ["wk 2", "2", "0", "2"]]
    assert [label for _colour, label in chart.legend] == ["Nieuw", "Opgelost"]
    assert len({colour for colour, _label in chart.legend}) == 2


def test_text_is_escaped_and_the_table_can_be_printed_or_hidden():
    chart = horizontal_bar_chart(
        title="Op tijd", rows=[("<b>Vuil</b>", 75, "3 van 4"), ("Licht", None)], unit="%"
    )
    html = chart.html(table="visible")
    assert "<b>Vuil</b>" not in html and "&lt;b&gt;Vuil&lt;/b&gt;" in html
    assert "<details" not in html and "<table" in html
    assert 'class="visually-hidden"' in chart.html(table="hidden")
    _svg_root(chart)  # well-formed XML, as WeasyPrint needs
