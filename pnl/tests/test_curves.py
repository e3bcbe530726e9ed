from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from pairsapi.charts import thinned
from pnl.curves import hourly_drawdowns

START = datetime(2026, 1, 1, tzinfo=UTC)


def series(values):
    return [(START + timedelta(hours=n), v) for n, v in enumerate(values)]


@given(st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=300), st.integers(3, 50))
@example([5.0, 1.0, 2.0, 3.0, 4.0, 0.5, 6.0, 7.0, 8.0, 9.0], 3)
def test_thinning_keeps_the_ends_the_lowest_point_and_the_bound(values, most):
    points = series(values)
    kept = thinned(points, most)
    assert len(kept) <= most
    assert kept[0] == points[0] and kept[-1] == points[-1]
    assert min(v for _, v in kept) == min(values)
    assert [t for t, _ in kept] == sorted(t for t, _ in kept)


def test_hourly_drawdown_takes_each_hours_low_against_the_peak_so_far():
    hours = [
        (START, 110, 100),
        (START + timedelta(hours=1), 120, 90),
        (START + timedelta(hours=2), 105, 101),
    ]
    assert [d for _, d in hourly_drawdowns(hours)] == [-10, -30, -19]
