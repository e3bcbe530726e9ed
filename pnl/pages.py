"""The positions page: what is on the book, how the account has done, and where slippage goes."""

import statistics
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.utils import timezone

from instruments.selectors import (
    active_pairs,
    pair_position,
    single_tickers_to_show,
    tickers_by_symbol,
)
from pairsapi.charts import line_chart, thinned
from pairsapi.display import display_zone
from pairsapi.live import render_live
from pairsapi.memo import remembered
from signals.selectors import slippage_by_hour, slippage_by_instrument, times_to_fill

from . import selectors
from .curves import hourly_drawdowns

# The charts show this much history, at most this many points each.
CHART_DAYS = 90
CHART_POINTS = 400
ANALYTICS_DAYS = 30
ANALYTICS_SECONDS = 60
SLIPPAGE_INSTRUMENTS = 20


def _pnl(ticker):
    return ticker.active_pnl if ticker is not None else 0.0


def _fill_times(seconds: list[float]) -> dict | None:
    if not seconds:
        return None
    ordered = sorted(seconds)
    return {
        "count": len(ordered),
        "median": statistics.median(ordered),
        "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "longest": ordered[-1],
    }


def _analytics(zone) -> dict:
    """Average slippage by instrument (the most traded SLIPPAGE_INSTRUMENTS) and by local hour,
    and the time from alert to fill, over ANALYTICS_DAYS; worked out at most once a minute: a
    month's figures do not move with each fill, and the page is read again on every change."""

    def work_out():
        since = timezone.now() - timedelta(days=ANALYTICS_DAYS)
        busiest = sorted(slippage_by_instrument(since), key=lambda row: -row["count"])
        by_instrument = sorted(busiest[:SLIPPAGE_INSTRUMENTS], key=lambda row: row["average"])
        for row in by_instrument:
            row["name"] = row["ticker1"] + (f"-{row['ticker2']}" if row["ticker2"] else "")
        return {
            "slip_by_instrument": by_instrument,
            "slip_by_hour": slippage_by_hour(since, zone),
            "fill_times": _fill_times(times_to_fill(since)),
        }

    return remembered(f"positions:analytics:{zone.key}", work_out, ANALYTICS_SECONDS)


def _account_charts(zone) -> dict:
    """Net liquidation and drawdown by hour over CHART_DAYS, drawn at most once a minute: three
    months of snapshots every few seconds are many rows, and an hourly point moves little in a
    minute (the account's figures above the charts are read fresh)."""

    def draw():
        hours = selectors.net_liquidation_by_hour(timezone.now() - timedelta(days=CHART_DAYS))
        history = [(hour.astimezone(zone), average) for hour, average, _, _ in hours]
        drawdown = hourly_drawdowns(
            [(hour.astimezone(zone), high, low) for hour, _, high, low in hours]
        )
        return {
            "chart": line_chart(thinned(history, CHART_POINTS), "net liquidation", "%m-%d %H:%M"),
            "drawdown_chart": line_chart(
                thinned(drawdown, CHART_POINTS), "drawdown", "%m-%d %H:%M", zero_line=True
            ),
        }

    return remembered(f"positions:charts:{zone.key}", draw, ANALYTICS_SECONDS)


@login_required
def positions(request):
    zone = display_zone()
    pairs = list(active_pairs().order_by("name"))
    leg_symbols = {s for p in pairs for s in (p.ticker1, p.ticker2)}
    legs = tickers_by_symbol(leg_symbols)
    pair_rows = [
        {
            "pair": pair,
            "leg1": legs.get(pair.ticker1),
            "leg2": legs.get(pair.ticker2),
            "pnl": _pnl(legs.get(pair.ticker1)) + _pnl(legs.get(pair.ticker2)),
            "position": pair_position(pair, legs),
        }
        for pair in pairs
    ]
    singles = list(single_tickers_to_show(leg_symbols))
    context = {
        "pairs": pair_rows,
        "singles": singles,
        "pairs_pnl": sum(row["pnl"] for row in pair_rows),
        "singles_pnl": sum(t.active_pnl for t in singles),
        "snapshot": selectors.latest_known_snapshot(),
        **_account_charts(zone),
        **_analytics(zone),
        "instruments_shown": SLIPPAGE_INSTRUMENTS,
        "analytics_days": ANALYTICS_DAYS,
        "zone": zone.key,
    }
    context["total_pnl"] = context["pairs_pnl"] + context["singles_pnl"]
    return render_live(request, "pnl/positions.html", {"positions": "pnl/_positions.html"}, context)
