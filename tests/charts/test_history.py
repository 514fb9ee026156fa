"""The history line chart."""
import xml.etree.ElementTree as ET

import pytest

from tracker.charts import HistorySeries, history_chart


def test_history_svg_and_png():
    periods = ["2026-Q1", "2026-Q2", "2026-Q3"]
    series = [HistorySeries("Здоровье", [60.0, None, 45.0]), HistorySeries("NPS", [10.0, -5.0, -25.0], "nps")]
    svg = history_chart(periods, series, title="Склад")
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert history_chart(periods, series, fmt="png").startswith(b"\x89PNG\r\n\x1a\n")


def test_history_with_no_data_still_renders():
    assert history_chart(["2026-Q3"], [HistorySeries("Health", [None])]).startswith(b"<?xml")


def test_history_refuses_misaligned_series():
    with pytest.raises(ValueError):
        history_chart(["2026-Q3"], [HistorySeries("Health", [1.0, 2.0])])


def test_stale_values_are_not_drawn_as_fresh_ones():
    """A carried-over value leaves the fresh line (a gap there) and gets a hollow marker of its own."""
    import re

    from tracker.charts import HistorySeries, history_chart
    fresh = history_chart(["Q1", "Q2", "Q3"], [HistorySeries("Health", [40.0, 40.0, 60.0])], fmt="svg")
    carried = history_chart(["Q1", "Q2", "Q3"],
                            [HistorySeries("Health", [40.0, 40.0, 60.0], stale=[False, True, False])], fmt="svg")
    lines = lambda svg: len(re.findall(rb'<g id="line2d_\d+"', svg))  # noqa: E731
    assert lines(carried) > lines(fresh)


def test_svg_keeps_its_default_namespace_after_weasyprint_is_imported():
    """WeasyPrint registers the '' prefix for no namespace at import; the charts came out as ns0:svg."""
    import weasyprint  # noqa: F401

    from tracker.charts import HistorySeries, history_chart

    svg = history_chart(["Q1", "Q2"], [HistorySeries("Health", [40.0, 60.0])], fmt="svg")
    assert b"<svg " in svg and b"ns0:" not in svg


def test_no_data_is_not_struck_through_by_the_floor_line():
    """"No data yet" sat on the floor line at 50 (issue 17): with no data there are no target/floor lines."""
    empty = history_chart(["2026-Q2", "2026-Q3"], [HistorySeries("Health", [None, None])], target=75, floor=50)
    rated = history_chart(["2026-Q2", "2026-Q3"], [HistorySeries("Health", [None, 60.0])], target=75, floor=50)
    assert b'id="floor-line"' in rated and b'id="target-line"' in rated
    assert b'id="floor-line"' not in empty and b'id="target-line"' not in empty
    assert b'id="no-data"' in empty and b'id="no-data"' not in rated
