"""The server-side SVG charts: scale, gaps, escaping and what a screen reader hears."""

from __future__ import annotations

from xml.etree import ElementTree

from agent_console.charts import Series, bar_chart, line_chart, percent

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ElementTree.Element:
    svg = str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ElementTree.fromstring(svg)


def test_a_bar_chart_draws_one_bar_per_value_and_reads_every_value() -> None:
    svg = parse(
        bar_chart(
            "Llamadas",
            labels=["10:00", "10:15"],
            series=[Series("Ofrecidas", [12, 0]), Series("Atendidas", [10, None])],
            chart_id="llamadas",
        )
    )
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "llamadas-t llamadas-d"
    assert svg.find(f"{NS}title").text == "Llamadas"  # type: ignore[union-attr]
    desc = svg.find(f"{NS}desc").text  # type: ignore[union-attr]
    assert desc == "10:00: Ofrecidas 12, Atendidas 10; 10:15: Ofrecidas 0, Atendidas sin dato."
    bars = [r for r in svg.iter(f"{NS}rect") if r.get("width") not in {"10"}]
    assert len(bars) == 2  # zero and missing values draw nothing
    tallest = max(float(r.get("height", 0)) for r in bars)
    assert tallest > float(next(r for r in bars if r.get("class") == "chart-s1").get("height", 0))


def test_a_line_breaks_where_a_value_is_missing_and_percentages_read_as_such() -> None:
    svg = parse(
        line_chart(
            "Nivel de servicio",
            labels=["a", "b", "c", "d"],
            series=[Series("Nivel", [0.5, 0.75, None, 1.0])],
            chart_id="nivel",
            fmt=percent,
            top=1.0,
        )
    )
    assert len(list(svg.iter(f"{NS}polyline"))) == 1
    assert len(list(svg.iter(f"{NS}circle"))) == 1  # the value standing alone
    assert "d: Nivel 100 %" in (svg.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_names_are_escaped() -> None:
    markup = bar_chart("<b>x</b>", labels=["<"], series=[Series("a&b", [1])], chart_id="e")
    assert "<b>" not in markup and "&lt;b&gt;" in markup and "a&amp;b" in markup
