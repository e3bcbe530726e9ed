"""Read queries on tickers and pairs, shared by the API, the pages and the other apps."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from pairsapi.queries import newest

from .models import Pair, PriceTick, Ticker
from .registry import pick_pair, pick_ticker

# A symbol to look for, with the kinds of ticker (sectypes; None: any) it may match.
Candidate = tuple[str, frozenset[str] | None]


def ticker_by_symbol(symbol: str) -> Ticker | None:
    return Ticker.objects.filter(symbol=symbol).first()


def forex_symbols_with_base(currency: str) -> list[str]:
    """Symbols of the forex tickers whose base currency is ``currency`` (``EUR`` gives
    ``EUR.USD``, ``EUR.GBP``...): the broker names a forex fill or position by its base currency."""
    if not currency or "." in currency:
        return []
    return list(
        Ticker.objects.filter(
            sectype=Ticker.SecType.FOREX, symbol__startswith=f"{currency}."
        ).values_list("symbol", flat=True)
    )


def pair_by_name(name: str) -> Pair | None:
    return Pair.objects.filter(name=name).first()


def newest_tickers(number: int) -> QuerySet[Ticker]:
    return newest(Ticker.objects.all(), number)


def newest_pairs(number: int) -> QuerySet[Pair]:
    return newest(Pair.objects.all(), number)


def active_pairs_with_leg(symbol: str) -> QuerySet[Pair]:
    return Pair.objects.filter(Q(ticker1=symbol) | Q(ticker2=symbol), status=True)


def first_registered_ticker(candidates: Sequence[Candidate]) -> Ticker | None:
    """The registered ticker for the first of ``candidates`` that matches one (one query); see
    ``registry.pick_ticker``."""
    symbols = [symbol for symbol, _ in candidates]
    if not symbols:
        return None
    return pick_ticker(candidates, {t.symbol: t for t in Ticker.objects.filter(symbol__in=symbols)})


def first_registered_pair(
    leg1_candidates: Sequence[str], leg2_candidates: Sequence[str]
) -> Pair | None:
    """The registered pair whose legs match the earliest candidates of each leg (one query)."""
    if not leg1_candidates or not leg2_candidates:
        return None
    found = Pair.objects.filter(ticker1__in=leg1_candidates, ticker2__in=leg2_candidates)
    return pick_pair(leg1_candidates, leg2_candidates, {(p.ticker1, p.ticker2): p for p in found})


class LiveRegistry:
    """The registry read straight from the database, for checks made inside a transaction
    (a bridge's edit of a signal) rather than on the webhook's hot path."""

    @staticmethod
    def ticker_for(candidates: Sequence[Candidate]) -> Ticker | None:
        return first_registered_ticker(candidates)

    @staticmethod
    def pair_for(leg1_candidates: Sequence[str], leg2_candidates: Sequence[str]) -> Pair | None:
        return first_registered_pair(leg1_candidates, leg2_candidates)


def active_pairs() -> QuerySet[Pair]:
    return Pair.objects.filter(status=True)


def single_tickers_to_show(shown_legs: Iterable[str]) -> QuerySet[Ticker]:
    """Tickers the positions page lists as singles: those active as singles, and every other
    ticker holding a position that is not already shown as a leg (open exposure is never
    hidden because trading it was switched off)."""
    return Ticker.objects.filter(
        Q(active=True) | (~Q(active_pos=0) & ~Q(symbol__in=shown_legs))
    ).order_by("symbol")


def tickers_holding_positions() -> QuerySet[Ticker]:
    """Tickers the bridge reports a position in, by symbol."""
    return Ticker.objects.exclude(active_pos=0).order_by("symbol")


def tickers_by_symbol(symbols: Iterable[str]) -> dict[str, Ticker]:
    return {t.symbol: t for t in Ticker.objects.filter(symbol__in=symbols)}


def newest_price(instrument: str) -> PriceTick | None:
    return PriceTick.objects.filter(instrument=instrument).order_by("-at", "-id").first()


def newest_prices(instruments: list[str], number: int) -> dict[str, list[PriceTick]]:
    """Each instrument's newest ``number`` prices, newest first, each read from the index.

    One statement where the database takes a LIMIT inside a UNION (PostgreSQL): a watchlist of
    twenty pairs is then one round trip, not twenty. SQLite reads them one by one, in process.
    """
    reads = [
        PriceTick.objects.filter(instrument=name).order_by("-at", "-id")[:number]
        for name in instruments
    ]
    if len(reads) > 1 and connection.features.supports_slicing_ordering_in_compound:
        ticks = list(reads[0].union(*reads[1:], all=True))
    else:
        ticks = [tick for read in reads for tick in read]
    found: dict[str, list[PriceTick]] = {name: [] for name in instruments}
    for tick in sorted(ticks, key=lambda t: (t.at, t.id), reverse=True):
        found[tick.instrument].append(tick)
    return found


@dataclass(frozen=True)
class Holding:
    """What the book holds of a ticker or pair: a pair's position is its first leg's."""

    pair: Pair | None
    position: float


def pair_position(pair: Pair, legs: dict[str, Ticker]) -> float:
    leg1 = legs.get(pair.ticker1)
    return leg1.active_pos if leg1 is not None else 0.0


def holding_of(name: str) -> Holding | None:
    """The registered ticker or pair ``name`` (AAPL, NMFC-ROIC) and its position; None when
    neither is registered."""
    pair = pair_by_name(name)
    if pair is not None:
        return Holding(pair, pair_position(pair, tickers_by_symbol([pair.ticker1])))
    ticker = ticker_by_symbol(name)
    return None if ticker is None else Holding(None, ticker.active_pos)


def active_tickers() -> QuerySet[Ticker]:
    """Tickers traded as singles."""
    return Ticker.objects.filter(active=True)
