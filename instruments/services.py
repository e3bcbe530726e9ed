"""Every write to tickers and pairs, each in one transaction, with the two activity rules:
a ticker active as a single cannot be a leg of an active pair, and the other way round.

Both rules lock the leg tickers' rows first, so two requests racing to activate a ticker and a
pair that share it are serialized and the second one sees the first one's change.
"""

from django.db import IntegrityError, transaction

from pairsapi.api.errors import ItemNotFound, RuleViolation

from .models import Pair, Ticker
from .selectors import active_pairs_with_leg

TICKER_IN_ACTIVE_PAIR = " ticker is already active in a pair!"
LEG_ACTIVE_AS_SINGLE = " one of the tickers is already active!"
POSITION_FIELDS = ("active_pos", "active_pnl", "active_cost")


def _lock_tickers(symbols):
    return list(Ticker.objects.select_for_update().filter(symbol__in=symbols).order_by("symbol"))


def check_single_may_be_active(symbol):
    """The rule for a ticker traded as a single (the admin's forms call it too)."""
    if active_pairs_with_leg(symbol).exists():
        raise RuleViolation(TICKER_IN_ACTIVE_PAIR)


def check_pair_may_be_active(ticker1, ticker2):
    """The rule for an active pair (the admin's forms call it too)."""
    if Ticker.objects.filter(symbol__in=[ticker1, ticker2], active=True).exists():
        raise RuleViolation(LEG_ACTIVE_AS_SINGLE)


def _ticker_fields(data, with_positions):
    fields = {k: v for k, v in data.items() if k not in ("symbol", "update_pnl")}
    if not with_positions:
        for key in POSITION_FIELDS:
            fields.pop(key, None)
    return fields


@transaction.atomic
def register_ticker(data):
    """Create a ticker; 400 when the symbol exists or the activity rule forbids it."""
    symbol = data["symbol"]
    if data.get("active"):
        _lock_tickers([symbol])
        check_single_may_be_active(symbol)
    try:
        with transaction.atomic():
            return Ticker.objects.create(
                symbol=symbol, **_ticker_fields(data, data.get("update_pnl", False))
            )
    except IntegrityError:
        raise RuleViolation("'ticker' with that name already exists.") from None


@transaction.atomic
def upsert_ticker(data):
    """Update the ticker named by ``symbol``, or create it. Returns (ticker, created)."""
    ticker = Ticker.objects.select_for_update().filter(symbol=data["symbol"]).first()
    if ticker is None:
        return register_ticker(data), True
    fields = _ticker_fields(data, data.get("update_pnl", False))
    if fields.get("active") and not ticker.active:
        check_single_may_be_active(ticker.symbol)
    return _save(ticker, fields), False


@transaction.atomic
def set_ticker_active(ticker, active):
    """Switch trading of a ticker as a single on or off (the admin's bulk actions use this)."""
    return upsert_ticker({"symbol": ticker.symbol, "active": active})[0]


@transaction.atomic
def record_ticker_position(symbol, active_pos, active_pnl, active_cost):
    ticker = Ticker.objects.select_for_update().filter(symbol=symbol).first()
    if ticker is None:
        raise ItemNotFound()
    return _save(
        ticker, {"active_pos": active_pos, "active_pnl": active_pnl, "active_cost": active_cost}
    )


@transaction.atomic
def delete_ticker(symbol):
    if not Ticker.objects.filter(symbol=symbol).delete()[0]:
        raise ItemNotFound()


@transaction.atomic
def register_pair(ticker1, ticker2, hedge, status=False, notes=None):
    if "-" in ticker1 or "-" in ticker2 or not ticker1.strip() or not ticker2.strip():
        raise RuleViolation("problematic ticker!")
    if ticker1 == ticker2:
        raise RuleViolation("a pair needs two different tickers.")
    if status:
        _lock_tickers([ticker1, ticker2])
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
        raise RuleViolation("'pair' with that name already exists.") from None


@transaction.atomic
def update_pair(name, **fields):
    """Change ``hedge``, ``status`` and ``notes`` of the pair named ``name``."""
    pair = Pair.objects.filter(name=name).first()
    if pair is None:
        raise ItemNotFound()
    if fields.get("status"):
        _lock_tickers([pair.ticker1, pair.ticker2])
        check_pair_may_be_active(pair.ticker1, pair.ticker2)
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    return _save(pair, fields)


@transaction.atomic
def delete_pair(name):
    if not Pair.objects.filter(name=name).delete()[0]:
        raise ItemNotFound()


def _save(instance, fields):
    for key, value in fields.items():
        setattr(instance, key, value)
    if fields:
        instance.save(update_fields=list(fields))
    return instance
