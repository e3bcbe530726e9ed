from datetime import UTC, date, datetime

import pytest

from pairsapi.charts import line_chart
from pairsapi.display import day_bounds
from pairsapi.templatetags.numbers import plain


@pytest.mark.parametrize(
    "value, shown",
    [
        (603.0, "603"),
        (-452, "-452"),
        (0.9375, "0.9375"),
        (62588, "62,588"),
        (12.5, "12.5"),
        (0.00001, "0"),
        (None, "–"),
        ("", "–"),
        ("n/a", "n/a"),
    ],
)
def test_plain_numbers(value, shown):
    assert plain(value) == shown


def test_day_bounds_cover_whole_local_days(settings):
    settings.DISPLAY_TIME_ZONE = "America/Los_Angeles"
    start, end = day_bounds(date(2024, 1, 15), date(2024, 1, 16))
    assert start.astimezone(UTC) == datetime(2024, 1, 15, 8, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2024, 1, 17, 8, 0, tzinfo=UTC)


def test_line_chart_plots_every_point_and_escapes_its_label():
    points = [(datetime(2024, 1, d, tzinfo=UTC), v) for d, v in ((1, 5.0), (2, -1.0), (3, 2.0))]
    svg = str(line_chart(points, "slip <of> A&B", zero_line=True))
    assert svg.startswith('<svg class="chart"') and svg.count("<circle") == 3
    assert "slip &lt;of&gt; A&amp;B" in svg and "<of>" not in svg
    assert 'class="zero"' in svg


def test_line_chart_of_one_point_and_of_none():
    one = str(line_chart([(datetime(2024, 1, 1, tzinfo=UTC), 3.0)], "x"))
    assert one.count("<circle") == 1 and "nan" not in one
    assert "No data" in str(line_chart([], "x"))
