"""The positions page: what is on the book, and how the account has done."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from instruments.selectors import active_pairs, single_tickers_to_show, tickers_by_symbol
from pairsapi.charts import line_chart
from pairsapi.display import display_zone

from . import selectors


@login_required
def positions(request):
    pairs = list(active_pairs().order_by("name"))
    leg_symbols = {s for p in pairs for s in (p.ticker1, p.ticker2)}
    legs = tickers_by_symbol(leg_symbols)
    history = [(t.astimezone(display_zone()), v) for t, v in selectors.net_liquidation_history()]
    return render(
        request,
        "pnl/positions.html",
        {
            "pairs": [(pair, legs.get(pair.ticker1), legs.get(pair.ticker2)) for pair in pairs],
            "singles": list(single_tickers_to_show(leg_symbols)),
            "snapshot": selectors.latest_known_snapshot(),
            "chart": line_chart(history, "net liquidation"),
            "zone": display_zone().key,
        },
    )
