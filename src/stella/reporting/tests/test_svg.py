"""The server-rendered charts: accessible markup, gaps for suppressed points, German numbers, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from stella.reporting import svg
from stella.reporting.numbers import de_number

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, not untrusted input


def test_line_chart_is_an_accessible_image_with_title_and_desc() -> None:
    out = svg.line_chart(["01/2026", "02/2026"], [svg.Series("Stella", [Decimal("21.5"), Decimal("22.3")])],
                         title="Integrationsquote", uid="c1", y_label="%")
    root = parse(out)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{NS}title").text == "Integrationsquote"
    desc = root.find(f"{NS}desc").text
    assert "01/2026: 21,5 %" in desc and "02/2026: 22,3 %" in desc


def test_a_suppressed_point_is_a_gap_not_a_zero() -> None:
    out = svg.line_chart(["a", "b", "c", "d"], [svg.Series("S", [Decimal(10), None, Decimal(12), Decimal(13)])],
                         title="t", uid="g")
    root = parse(out)
    lines = root.findall(f".//{NS}polyline")
    assert len(lines) == 1  # only c–d are joined; a stands alone, b is missing
    assert len(lines[0].get("points").split()) == 2
    assert "b: keine veröffentlichte Zahl" in root.find(f"{NS}desc").text
    assert len(root.findall(f".//{NS}circle")) == 3


def test_two_series_differ_in_dash_and_marker_not_only_colour() -> None:
    out = svg.line_chart(["1", "2"], [svg.Series("Stella", [1, 2]), svg.Series("bundesweit", [3, 4])],
                         title="Kurve", uid="k")
    root = parse(out)
    lines = root.findall(f".//{NS}polyline")
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    assert root.findall(f".//{NS}rect") and root.findall(f".//{NS}circle")  # square vs circle markers
    legend = [t.text for t in root.iter(f"{NS}text")]
    assert "Stella" in legend and "bundesweit" in legend


def test_text_is_escaped() -> None:
    out = svg.line_chart(["<b>"], [svg.Series("a&b", [1])], title="<script>", uid="x")
    assert "<script>" not in str(out) and "&lt;script&gt;" in str(out)
    parse(out)  # still well-formed


def test_bars_and_empty_chart() -> None:
    out = svg.line_chart(["a", "b"], [svg.Series("n", [Decimal(5), None])], title="t", uid="b", bars=True)
    root = parse(out)
    assert len(root.findall(f".//{NS}rect")) == 1
    empty = parse(svg.line_chart(["a"], [svg.Series("n", [None])], title="t", uid="e"))
    assert "keine Zahl veröffentlicht" in empty.find(f"{NS}desc").text


def test_quartile_chart_describes_median_and_quartiles() -> None:
    out = svg.quartile_chart(["LB", "TÜ"], [(Decimal(100), Decimal(200), Decimal(350)), None], title="Dauer", uid="q")
    root = parse(out)
    desc = root.find(f"{NS}desc").text
    assert "LB: Median 200 Tage, Quartile 100 bis 350 Tage" in desc
    assert "TÜ: keine veröffentlichte Zahl" in desc
    assert len(root.findall(f".//{NS}rect")) == 1


def test_sparkline() -> None:
    out = svg.sparkline([Decimal(1), Decimal(2), None, Decimal(3)], title="Trend", labels=["a", "b", "c", "d"],
                        uid="s")
    root = parse(out)
    assert root.get("role") == "img"
    assert re.search(r"c: keine veröffentlichte Zahl", root.find(f"{NS}desc").text)


def test_german_number_format() -> None:
    """One formatter for pages, charts and exports: half up (as the figures are rounded), floats by their repr."""
    assert de_number(Decimal("1234.56"), 1) == "1.234,6"
    assert de_number(Decimal(1204)) == "1.204"
    assert de_number(12, 0) == "12"
    assert de_number(None) == "–"
    assert de_number(Decimal("0.25"), 1) == "0,3"  # half up, not half even
    assert de_number(2.675, 2) == "2,68"  # the float's repr, not its binary value 2.67499…
    assert de_number(-1234.5, 0) == "-1.235"
