"""Every write to tickers and pairs, each in one transaction, with the two activity rules:
a ticker active as a single cannot be a leg of an active pair, and the other way round.

Every write the rules check, and every create-or-update, first locks the registry's version row
(``_serialize_registry_writes``): a row lock on a ticker that does not exist yet locks nothing,
so two requests racing to activate a new ticker and a pair on it could both pass their check.
The version row always exists, so they queue, and the second sees the first one's change.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypedDict, TypeVar, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pairsapi.domain import NotFound, RuleViolated
from signals.expressions import PAIR, parse_expression, symbol_candidates

from .models import Pair, PriceTick, Ticker
from .registry import lock_for_writes
from .selectors import (
    active_pairs_with_leg,
    first_registered_pair,
    first_registered_ticker,
    forex_symbols_with_base,
)

Saved = TypeVar("Saved", Ticker, Pair)

TICKER_IN_ACTIVE_PAIR = " ticker is already active in a pair!"
LEG_ACTIVE_AS_SINGLE = " one of the tickers is already active!"


def _serialize_registry_writes() -> None:
    """Queue behind any other registry write until this transaction ends (SQLite's transactions
    are serialized already: it runs them IMMEDIATE)."""
    lock_for_writes()


def check_single_may_be_active(symbol: str) -> None:
    """The rule for a ticker traded as a single (the admin's forms call it too)."""
    if active_pairs_with_leg(symbol).exists():
        raise RuleViolated(TICKER_IN_ACTIVE_PAIR)


def check_pair_may_be_active(ticker1: str, ticker2: str) -> None:
    """The rule for an active pair (the admin's forms call it too)."""
    if Ticker.objects.filter(symbol__in=[ticker1, ticker2], active=True).exists():
        raise RuleViolated(LEG_ACTIVE_AS_SINGLE)


class TickerChanges(TypedDict, total=False):
    """A ticker's fields as a write may give them; a field left out keeps its value (or its
    default, for a new ticker)."""

    sectype: str
    xch: str
    prixch: str
    currency: str
    order_type: str
    active: bool
    active_pos: float
    active_pnl: float
    active_cost: float


def _check_room(model: type[Ticker] | type[Pair], most: int, name: str) -> None:
    """The registry is read by every alert: it holds at most so many (REGISTRY_MAX_*)."""
    if model.objects.count() >= most:
        raise RuleViolated(
            f"the registry holds its most {name}s ({most}); delete one, or raise "
            f"REGISTRY_MAX_{name.upper()}S."
        )


@transaction.atomic
def register_ticker(*, symbol: str, **changes: Unpack[TickerChanges]) -> Ticker:
    """Create a ticker; refused when the symbol exists, the registry is full or the activity
    rule forbids it."""
    _serialize_registry_writes()
    _check_room(Ticker, settings.REGISTRY_MAX_TICKERS, "ticker")
    if changes.get("active"):
        check_single_may_be_active(symbol)
    try:
        with transaction.atomic():
            return Ticker.objects.create(symbol=symbol, **changes)
    except IntegrityError:
        raise RuleViolated("'ticker' with that name already exists.") from None


@transaction.atomic
def upsert_ticker(*, symbol: str, **changes: Unpack[TickerChanges]) -> tuple[Ticker, bool]:
    """Update the ticker named by ``symbol``, or create it. Returns (ticker, created)."""
    _serialize_registry_writes()
    ticker = Ticker.objects.filter(symbol=symbol).first()
    if ticker is None:
        return register_ticker(symbol=symbol, **changes), True
    if changes.get("active") and not ticker.active:
        check_single_may_be_active(ticker.symbol)
    return _save(ticker, changes), False


@transaction.atomic
def set_ticker_active(*, ticker: Ticker, active: bool) -> Ticker:
    """Switch trading of a ticker as a single on or off (the admin's bulk actions use this)."""
    return upsert_ticker(symbol=ticker.symbol, active=active)[0]


def _locked_ticker_for_broker_symbol(symbol: str) -> Ticker:
    """The ticker the broker means by ``symbol``, row-locked: the ticker of that symbol, else the
    one forex ticker whose base currency it is (the broker names ``EUR.USD`` positions ``EUR``)."""
    ticker = Ticker.objects.select_for_update().filter(symbol=symbol).first()
    if ticker is not None:
        return ticker
    forex = forex_symbols_with_base(symbol)
    if len(forex) > 1:
        raise RuleViolated(
            f"'{symbol}' is the base currency of several forex tickers ({', '.join(sorted(forex))})"
            ": report the position under the ticker's own symbol."
        )
    if not forex:
        raise NotFound()
    return Ticker.objects.select_for_update().get(symbol=forex[0])


@transaction.atomic
def record_ticker_position(
    *,
    symbol: str,
    active_pos: float | None = None,
    active_pnl: float | None = None,
    active_cost: float | None = None,
) -> Ticker:
    """Store the position figures the bridge reported; a figure it left out keeps its value."""
    ticker = _locked_ticker_for_broker_symbol(symbol)
    figures = {"active_pos": active_pos, "active_pnl": active_pnl, "active_cost": active_cost}
    return _save(ticker, {name: value for name, value in figures.items() if value is not None})


@transaction.atomic
def delete_ticker(*, symbol: str) -> None:
    if not Ticker.objects.filter(symbol=symbol).delete()[0]:
        raise NotFound()


@transaction.atomic
def register_pair(
    *, ticker1: str, ticker2: str, hedge: float, status: bool = False, notes: str | None = None
) -> Pair:
    if "-" in ticker1 or "-" in ticker2 or not ticker1.strip() or not ticker2.strip():
        raise RuleViolated("problematic ticker!")
    if ticker1 == ticker2:
        raise RuleViolated("a pair needs two different tickers.")
    _serialize_registry_writes()
    _check_room(Pair, settings.REGISTRY_MAX_PAIRS, "pair")
    if status:
        check_pair_may_be_active(ticker1, ticker2)
    try:
        with transaction.atomic():
            return Pair.objects.create(
                name=Pair.name_for(ticker1, ticker2),
                ticker1=ticker1,
                ticker2=ticker2,
                hedge=hedge,
                status=status,
                notes=notes,
            )
    except IntegrityError:
        raise RuleViolated("'pair' with that name already exists.") from None


class PairChanges(TypedDict, total=False):
    hedge: float
    status: bool
    notes: str | None


@transaction.atomic
def update_pair(*, name: str, **fields: Unpack[PairChanges]) -> Pair:
    """Change ``hedge``, ``status`` and ``notes`` of the pair named ``name``."""
    _serialize_registry_writes()
    pair = Pair.objects.filter(name=name).first()
    if pair is None:
        raise NotFound()
    if fields.get("status"):
        check_pair_may_be_active(pair.ticker1, pair.ticker2)
    return _save(pair, fields)


@transaction.atomic
def delete_pair(*, name: str) -> None:
    if not Pair.objects.filter(name=name).delete()[0]:
        raise NotFound()


def _save(instance: Saved, fields: Mapping[str, Any]) -> Saved:
    for key, value in fields.items():
        setattr(instance, key, value)
    if fields:
        instance.save(update_fields=list(fields))
    return instance


# Each ticker or pair keeps this many of its newest prices: enough for any moving average the
# watchlist offers, never a table that grows without end.
PRICE_HISTORY_KEPT = 2000
# A price may be dated a little ahead (a clock off by hours), not into the far future.
PRICE_TIME_AHEAD = timedelta(days=1)


def instrument_priced(expression_text: str) -> str:
    """The registered ticker or pair a TradingView expression names, as the webhook reads it;
    NotFound when it names none, RuleViolated when a spread's hedge is not the pair's."""
    expression = parse_expression(expression_text)
    if expression.is_problematic:
        raise RuleViolated(
            f"'{expression_text}' is not a ticker or pair expression such as AAPL or "
            "NMFC-0.75*ROIC."
        )
    if expression.kind == PAIR:
        pair = first_registered_pair(
            [c.symbol for c in symbol_candidates(expression.symbol1)],
            [c.symbol for c in symbol_candidates(expression.symbol2)],
        )
        if pair is None:
            raise NotFound(f"no pair '{expression_text}' is registered.")
        # A spread written with its coefficient must be the pair's; the pair's bare name
        # (NMFC-ROIC) means the pair as registered.
        written_hedge = "*" in expression_text.split("-", 1)[1]
        if written_hedge and abs((expression.hedge or 0) - pair.hedge) > 1e-9:
            raise RuleViolated(
                f"the spread's hedge {expression.hedge:g} is not the pair's {pair.hedge:g}."
            )
        return pair.name
    ticker = first_registered_ticker(
        [(c.symbol, c.sectypes) for c in symbol_candidates(expression.symbol1)]
    )
    if ticker is None:
        raise NotFound(f"no ticker '{expression_text}' is registered.")
    return ticker.symbol


@transaction.atomic
def record_price(*, ticker: str, price: float, time: datetime | None = None) -> PriceTick:
    """Keep one price of the ticker or pair spread ``ticker`` names, at ``time`` (now when
    absent; refused more than a day ahead); past PRICE_HISTORY_KEPT, the prices that arrived
    first go, whatever time they claim (a flood dated far ahead cannot push real ones out)."""
    now = timezone.now()
    if time is not None and time > now + PRICE_TIME_AHEAD:
        raise RuleViolated(
            f"'time' {time:%Y-%m-%d %H:%M:%S} is more than a day ahead of the service's clock."
        )
    instrument = instrument_priced(ticker)
    tick = PriceTick.objects.create(instrument=instrument, price=price, at=time or now)
    history = PriceTick.objects.filter(instrument=instrument)
    first_kept = history.order_by("-id").values_list("id", flat=True)[
        PRICE_HISTORY_KEPT - 1 : PRICE_HISTORY_KEPT
    ]
    if first_kept:
        history.filter(id__lt=first_kept[0]).delete()
    return tick
