"""Read queries on tickers and pairs, shared by the API, the pages and the other apps."""

from django.db.models import Q

from pairsapi.api.listing import newest

from .models import Pair, Ticker


def ticker_by_symbol(symbol):
    return Ticker.objects.filter(symbol=symbol).first()


def pair_by_name(name):
    return Pair.objects.filter(name=name).first()


def newest_tickers(number):
    return newest(Ticker.objects.all(), number)


def newest_pairs(number):
    return newest(Pair.objects.all(), number)


def active_pairs_with_leg(symbol):
    return Pair.objects.filter(Q(ticker1=symbol) | Q(ticker2=symbol), status=True)


def first_registered_ticker(candidates):
    """The registered ticker for the first of ``candidates`` that matches one (one query).

    ``candidates`` are ``(symbol, sectypes)`` pairs, best first; ``sectypes`` (None: any) limits
    which kinds of ticker the symbol may match.
    """
    if not candidates:
        return None
    found = {
        t.symbol: t for t in Ticker.objects.filter(symbol__in=[symbol for symbol, _ in candidates])
    }
    for symbol, sectypes in candidates:
        ticker = found.get(symbol)
        if ticker is not None and (sectypes is None or ticker.sectype in sectypes):
            return ticker
    return None


def first_registered_pair(leg1_candidates, leg2_candidates):
    """The registered pair whose legs match the earliest candidates of each leg (one query)."""
    if not leg1_candidates or not leg2_candidates:
        return None
    found = {
        (p.ticker1, p.ticker2): p
        for p in Pair.objects.filter(ticker1__in=leg1_candidates, ticker2__in=leg2_candidates)
    }
    for leg1 in leg1_candidates:
        for leg2 in leg2_candidates:
            if (leg1, leg2) in found:
                return found[(leg1, leg2)]
    return None


def active_pairs():
    return Pair.objects.filter(status=True)


def active_single_tickers():
    return Ticker.objects.filter(active=True)


def tickers_by_symbol(symbols):
    return {t.symbol: t for t in Ticker.objects.filter(symbol__in=symbols)}
