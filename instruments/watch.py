"""The watchlist's arithmetic, pure: a spread's moving average, standard deviation and z-score
over a window of its newest prices, and how far an open position's entry stands from it."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SpreadStats:
    last: float
    average: float | None  # None until the window has two prices
    deviation: float | None  # sample standard deviation
    z_score: float | None  # None when every price in the window is the same
    count: int  # prices in the window


def spread_stats(newest_first: Sequence[float], window: int) -> SpreadStats | None:
    """Statistics of the ``window`` newest prices (``newest_first``); None with no price."""
    prices = [p for p in newest_first[:window] if math.isfinite(p)]
    if not prices:
        return None
    last = prices[0]
    if len(prices) < 2:
        return SpreadStats(last, None, None, None, len(prices))
    average = statistics.fmean(prices)
    deviation = statistics.stdev(prices)
    z_score = (last - average) / deviation if deviation > 0 else None
    return SpreadStats(last, average, deviation, z_score, len(prices))


def distance_from_average(position: float, stats: SpreadStats | None) -> float | None:
    """How far the last spread is from its average, seen from the open position: positive when
    it stands on the side the position profits from returning (a long wants the spread below
    its average to rise back), None with no position or no average."""
    if not position or stats is None or stats.average is None:
        return None
    return (stats.average - stats.last) * (1 if position > 0 else -1)
