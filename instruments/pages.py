"""The watchlist: each active pair's spread against its moving average, and the open position."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.utils import timezone

from pairsapi.display import ago_text, display_zone
from pairsapi.live import render_live

from . import selectors
from .watch import distance_from_average, spread_stats

WINDOWS = (10, 20, 50, 100, 200)
DEFAULT_WINDOW = 20


class WatchlistForm(forms.Form):
    window = forms.TypedChoiceField(
        choices=[(w, f"{w} prices") for w in WINDOWS], coerce=int, required=False, empty_value=None
    )


def _watched(window: int):
    now = timezone.now()
    pairs = list(selectors.active_pairs().order_by("name"))
    legs = selectors.tickers_by_symbol({s for p in pairs for s in (p.ticker1, p.ticker2)})
    prices_of = selectors.newest_prices([pair.name for pair in pairs], window)
    rows = []
    for pair in pairs:
        prices = prices_of[pair.name]
        stats = spread_stats([tick.price for tick in prices], window)
        position = selectors.pair_position(pair, legs)
        rows.append(
            {
                "pair": pair,
                "stats": stats,
                "position": position,
                "distance": distance_from_average(position, stats),
                "priced_at": prices[0].at.astimezone(display_zone()) if prices else None,
                "ago": ago_text((now - prices[0].at).total_seconds()) if prices else None,
            }
        )
    return rows


@login_required
def watchlist(request):
    form = WatchlistForm(request.GET)
    window = (form.cleaned_data["window"] if form.is_valid() else None) or DEFAULT_WINDOW
    return render_live(
        request,
        "instruments/watchlist.html",
        {"watch": "instruments/_watchlist.html"},
        {"form": form, "window": window, "rows": _watched(window), "zone": display_zone().key},
        status=200 if form.is_valid() else 400,
    )
