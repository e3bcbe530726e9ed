"""The account's curves, pure: drawdown from the running peak, and thinning a long history to
what a chart can show."""

from collections.abc import Sequence
from datetime import datetime

Point = tuple[datetime, float]


def drawdowns(points: Sequence[Point]) -> list[Point]:
    """Each point's distance below the highest value before it (0 at a new peak, else
    negative), oldest first as given."""
    peak = None
    curve = []
    for moment, value in points:
        peak = value if peak is None else max(peak, value)
        curve.append((moment, value - peak))
    return curve


def thinned(points: Sequence[Point], most: int) -> list[Point]:
    """At most ``most`` points, evenly spread, keeping the first and the last and each span's
    lowest point (a drawdown's bottom must not vanish from the chart)."""
    if len(points) <= most:
        return list(points)
    inside = points[1:-1]
    chunks = most - 2
    kept = [points[0]]
    for number in range(chunks):
        chunk = inside[number * len(inside) // chunks : (number + 1) * len(inside) // chunks]
        if chunk:
            kept.append(min(chunk, key=lambda point: point[1]))
    kept.append(points[-1])
    return kept


def hourly_drawdowns(hours: Sequence[tuple[datetime, float, float]]) -> list[Point]:
    """Drawdown per hour from (hour, highest, lowest): each hour's low below the highest value
    seen up to and including it."""
    peak = None
    curve = []
    for moment, high, low in hours:
        peak = high if peak is None else max(peak, high)
        curve.append((moment, low - peak))
    return curve
