"""The account's curves, pure: drawdown from the running peak."""

from collections.abc import Sequence
from datetime import datetime

Point = tuple[datetime, float]


def hourly_drawdowns(hours: Sequence[tuple[datetime, float, float]]) -> list[Point]:
    """Drawdown per hour from (hour, highest, lowest): each hour's low below the highest value
    seen up to and including it."""
    peak = None
    curve = []
    for moment, high, low in hours:
        peak = high if peak is None else max(peak, high)
        curve.append((moment, low - peak))
    return curve
