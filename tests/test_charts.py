"""Build-time SVG charts (generator/site/charts.py): well-formed, escaped, accessible,
scaled by date and value, and safe to put in a Markdown page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import markdown
import pytest

from generator.site.charts import FlowRow, flow_bars, format_value, sparkline

MONTHLY = [(dt.date(2025, 12, 1), 0.18), (dt.date(2026, 3, 1), 0.21),
           (dt.date(2026, 11, 1), 0.27)]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def polyline_xy(svg: ET.Element) -> list[tuple[float, float]]:
    points = svg.find("polyline").get("points").split()
    return [tuple(float(n) for n in point.split(",")) for point in points]


def test_sparkline_is_well_formed_svg_with_a_role_and_a_title():
    svg = parse(sparkline(MONTHLY, target=0.3, label="Visit-to-basket rate", unit="ratio"))
    assert svg.tag == "svg"
    assert svg.get("role") == "img"
    assert svg.find("title").text == svg.get("aria-label")


def test_y_goes_up_as_the_value_rises():
    xy = polyline_xy(parse(sparkline(MONTHLY, label="Rate")))
    ys = [y for _, y in xy]
    assert ys[0] > ys[1] > ys[2]  # SVG y runs downwards
    falling = polyline_xy(parse(sparkline([(d, -v) for d, v in MONTHLY], label="Rate")))
    assert falling[0][1] < falling[2][1]


def test_target_line_only_with_a_target():
    assert parse(sparkline(MONTHLY, label="Rate")).find("line") is None
    target = parse(sparkline(MONTHLY, target=0.2, label="Rate")).find("line")
    assert target.get("class") == "ip-spark-target"
    assert target.get("stroke-dasharray")


def test_target_outside_the_values_widens_the_scale():
    svg = parse(sparkline(MONTHLY, target=0.5, label="Rate"))
    target_y = float(svg.find("line").get("y1"))
    ys = [y for _, y in polyline_xy(svg)]
    assert 0 <= target_y < min(ys)  # the target is above every reading, inside the box
    assert max(ys) <= 28


def test_aria_label_names_first_and_last_readings_and_the_target():
    label = parse(sparkline(MONTHLY, target=0.3, label="Visit-to-basket rate",
                            unit="ratio")).get("aria-label")
    assert label.startswith("Visit-to-basket rate: 0.18 on 2025-12-01 to 0.27 on 2026-11-01")
    assert "target 0.30 (higher is better)" in label


def test_lower_is_better_is_said():
    label = parse(sparkline(MONTHLY, target=0.1, better="lower", label="Churn")).get("aria-label")
    assert "(lower is better)" in label
    with pytest.raises(ValueError):
        sparkline(MONTHLY, better="sideways", label="Churn")


def test_data_text_is_escaped():
    out = str(sparkline(MONTHLY, label="<script>alert(1)</script>"))
    assert "<script>" not in out
    svg = parse(out)
    assert svg.find("title").text.startswith("<script>alert(1)</script>: ")
    assert svg.get("aria-label").startswith("<script>alert(1)</script>: ")
    bars = str(flow_bars([FlowRow("<script>x</script>", 1, 2, 3)], caption="<b>Days</b>"))
    assert "<script>" not in bars and "<b>" not in bars
    assert parse(bars).find("figcaption").text == "<b>Days</b>"


def test_one_reading_is_a_dot():
    svg = parse(sparkline([(dt.date(2026, 1, 1), 4.0)], target=5, label="Score"))
    assert svg.find("polyline") is None
    dot = svg.find("circle")
    assert 0 < float(dot.get("cx")) <= 120 and 0 < float(dot.get("cy")) < 28
    assert svg.get("aria-label") == "Score: 4 on 2026-01-01, target 5 (higher is better)"


def test_equal_values_draw_a_flat_line_in_the_middle():
    points = [(dt.date(2026, month, 1), 7.0) for month in (1, 2, 3)]
    assert {y for _, y in polyline_xy(parse(sparkline(points, label="Flat")))} == {14.0}


def test_negative_values_stay_in_the_box_and_in_order():
    points = [(dt.date(2026, 1, 1), -5.0), (dt.date(2026, 2, 1), -1.0),
              (dt.date(2026, 3, 1), -3.0)]
    ys = [y for _, y in polyline_xy(parse(sparkline(points, label="Net score")))]
    assert all(0 <= y <= 28 for y in ys)
    assert ys[1] < ys[2] < ys[0]


def test_x_is_spaced_by_date_not_by_index():
    points = [(dt.date(2026, 1, 1), 1.0), (dt.date(2026, 1, 11), 2.0),
              (dt.date(2026, 4, 11), 3.0)]  # gaps of 10 and 90 days
    xs = [x for x, _ in polyline_xy(parse(sparkline(points, label="Uneven")))]
    assert xs[0] < xs[1] < xs[2]
    assert xs[2] - xs[1] == pytest.approx(9 * (xs[1] - xs[0]), rel=0.01)


def test_readings_out_of_order_are_sorted_by_date():
    shuffled = [MONTHLY[2], MONTHLY[0], MONTHLY[1]]
    assert sparkline(shuffled, label="Rate") == sparkline(MONTHLY, label="Rate")


def test_no_readings_draw_nothing():
    assert sparkline([], label="Rate") == ""


def test_numbers_are_formatted_not_raw_floats():
    points = [(dt.date(2026, 1, 1), 0.1 + 0.2), (dt.date(2026, 1, 3), 1 / 3)]
    out = str(sparkline(points, target=0.1 + 0.2, label="Rate", unit="ratio"))
    bars = str(flow_bars([FlowRow("A", 0.1 + 0.2, 10 / 3, 2)], caption="Days"))
    for text in (out, bars):
        assert not re.search(r"\d\.\d{3,}", text), text
    assert "median 0.3 d · p90 3.3 d · n=2" in bars


def test_output_is_deterministic():
    rows = [FlowRow("A", 3, 9, 4), FlowRow("B", 1, None, 1)]
    assert sparkline(MONTHLY, target=0.3, label="R") == sparkline(MONTHLY, target=0.3, label="R")
    assert flow_bars(rows, caption="Days") == flow_bars(list(rows), caption="Days")


def median_width(li: ET.Element) -> float:
    return float(li.find("svg/rect[@class='ip-flow-median']").get("width"))


def test_a_larger_median_draws_a_longer_bar():
    figure = parse(flow_bars([FlowRow("Slow", 20, 40, 5), FlowRow("Fast", 5, 10, 9)],
                             caption="Days to decide"))
    slow, fast = figure.findall("ul/li")
    assert median_width(slow) > median_width(fast) > 0
    # One scale for all rows: the longest p90 reaches the end.
    assert float(slow.find("svg/line").get("x1")) == 100


def test_rows_without_decisions_say_so():
    figure = parse(flow_bars([FlowRow("Team A", 4, 8, 3), FlowRow("Team B", None, None, 0)],
                             caption="Days to decide"))
    with_data, empty = figure.findall("ul/li")
    assert "".join(empty.itertext()).endswith("no decisions yet")
    assert empty.find("svg") is None
    assert "no decisions yet" not in "".join(with_data.itertext())
    assert "median 4 d · p90 8 d · n=3" in "".join(with_data.itertext())


def test_all_empty_rows_do_not_divide_by_zero():
    figure = parse(flow_bars([FlowRow("A", 0, 0, 2), FlowRow("B", None, None, 0)], caption="D"))
    assert median_width(figure.find("ul/li")) == 0


def test_links_are_kept_but_not_script_urls():
    figure = parse(flow_bars([FlowRow("A", 1, 2, 1, href="../teams/a/"),
                              FlowRow("B", 1, 2, 1, href=" JavaScript:alert(1)")], caption="D"))
    first, second = figure.findall("ul/li")
    assert first.find("span/a").get("href") == "../teams/a/"
    assert second.find("span/a") is None


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.21, "ratio", "0.21"),
    (0.1 + 0.2, "ratio", "0.30"),
    (21, "percent", "21%"),
    (21.25, "percent", "21.2%"),
    (1234567, "count", "1,234,567"),
    (12.0, "seconds", "12 s"),
    (4.5, "score", "4.5"),
    (-0.001, "score", "0"),
    (3.0, None, "3"),
    (None, "ratio", "–"),
])
def test_format_value(value, unit, shown):
    assert format_value(value, unit) == shown


def test_charts_stay_one_html_block_in_markdown():
    chart = flow_bars([FlowRow("A_b_c *x*", 2, 5, 2), FlowRow("B", None, None, 0)],
                      caption="Days")
    spark = sparkline(MONTHLY, target=0.3, label="snake_case *rate*", unit="ratio")
    for out in (str(chart), str(spark)):
        assert "\n\n" not in out
        assert not re.search(r"^ {4}", out, re.MULTILINE)
    html = markdown.markdown(f"Before\n\n{chart}\n\n<p>Rate {spark}</p>\n\nAfter")
    assert str(chart) in html and str(spark) in html  # passed through as written
    inline = markdown.markdown(f"Rate {spark} now")
    assert "<em>" not in inline and "<svg" in inline
