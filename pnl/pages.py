"""The positions page: what is on the book, how the account has done, and where slippage goes."""

from datetime import timedelta
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.utils import timezone

from instruments.selectors import active_pairs, single_tickers_to_show, tickers_by_symbol
from pairsapi.charts import line_chart
from pairsapi.display import display_zone
from pairsapi.live import render_live
from signals.selectors import slippage_by_hour, slippage_by_instrument

from . import selectors
from .curves import hourly_drawdowns, thinned

# The charts show this much history, at most this many points each.
CHART_DAYS = 90
CHART_POINTS = 400
ANALYTICS_DAYS = 30
ANALYTICS_SECONDS = 60
SLIPPAGE_INSTRUMENTS = 20


def _pnl(ticker):
    return ticker.active_pnl if ticker is not None else 0.0


def _slippage(zone) -> tuple[list[dict], list[dict]]:
    """Average slippage by instrument (the most traded SLIPPAGE_INSTRUMENTS) and by local hour
    over ANALYTICS_DAYS, worked out at most once a minute: a month's averages do not move with
    each fill, and the page is read again on every change."""

    def work_out():
        since = timezone.now() - timedelta(days=ANALYTICS_DAYS)
        busiest = sorted(slippage_by_instrument(since), key=lambda row: -row["count"])
        by_instrument = sorted(busiest[:SLIPPAGE_INSTRUMENTS], key=lambda row: row["average"])
        for row in by_instrument:
            row["name"] = row["ticker1"] + (f"-{row['ticker2']}" if row["ticker2"] else "")
        return by_instrument, slippage_by_hour(since, zone)

    worked_out = cache.get_or_set(f"positions:slippage:{zone.key}", work_out, ANALYTICS_SECONDS)
    return cast(tuple[list[dict], list[dict]], worked_out)


@login_required
def positions(request):
    zone = display_zone()
    now = timezone.now()
    pairs = list(active_pairs().order_by("name"))
    leg_symbols = {s for p in pairs for s in (p.ticker1, p.ticker2)}
    legs = tickers_by_symbol(leg_symbols)
    pair_rows = [
        {
            "pair": pair,
            "leg1": legs.get(pair.ticker1),
            "leg2": legs.get(pair.ticker2),
            "pnl": _pnl(legs.get(pair.ticker1)) + _pnl(legs.get(pair.ticker2)),
            "position": legs[pair.ticker1].active_pos if pair.ticker1 in legs else 0,
        }
        for pair in pairs
    ]
    singles = list(single_tickers_to_show(leg_symbols))
    hours = selectors.net_liquidation_by_hour(now - timedelta(days=CHART_DAYS))
    history = [(hour.astimezone(zone), average) for hour, average, _, _ in hours]
    drawdown = hourly_drawdowns(
        [(hour.astimezone(zone), high, low) for hour, _, high, low in hours]
    )
    by_instrument, by_hour = _slippage(zone)
    context = {
        "pairs": pair_rows,
        "singles": singles,
        "pairs_pnl": sum(row["pnl"] for row in pair_rows),
        "singles_pnl": sum(t.active_pnl for t in singles),
        "snapshot": selectors.latest_known_snapshot(),
        "chart": line_chart(thinned(history, CHART_POINTS), "net liquidation", "%m-%d %H:%M"),
        "drawdown_chart": line_chart(
            thinned(drawdown, CHART_POINTS), "drawdown", "%m-%d %H:%M", zero_line=True
        ),
        "slip_by_instrument": by_instrument,
        "slip_by_hour": by_hour,
        "instruments_shown": SLIPPAGE_INSTRUMENTS,
        "analytics_days": ANALYTICS_DAYS,
        "zone": zone.key,
    }
    context["total_pnl"] = context["pairs_pnl"] + context["singles_pnl"]
    return render_live(request, "pnl/positions.html", {"positions": "pnl/_positions.html"}, context)
