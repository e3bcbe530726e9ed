"""What a signal asks of the broker and at what prices: pure functions, the same arithmetic as
the service's (leg 2 is floor(contracts × hedge); a pair's price is the spread
leg1 − hedge × leg2)."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

WAITING = ("waiting", "rerouted")
LIMIT_TYPES = ("LIMIT", "LMT")


class OrderRefused(Exception):
    """The signal cannot become an order (a contract the broker does not know, a limit with no
    price...): the signal is written back as an error with these words; the bridge goes on."""


@dataclass(frozen=True)
class Instrument:
    """How the service registers a ticker: what a broker needs to name the contract."""

    sectype: str = "STK"  # STK, CASH (forex) or CRYPTO
    exchange: str = "SMART"
    primary_exchange: str = ""
    currency: str = "USD"
    order_type: str = "RELATIVE"
    tif: str = ""  # the broker's default (DAY; IOC for crypto) unless the ticker sets one

    @classmethod
    def of_ticker(cls, ticker: dict[str, Any]) -> "Instrument":
        """From the service's ticker JSON (``sectype``, ``xch``, ``prixch``...)."""
        return cls(
            sectype=(ticker.get("sectype") or "STK").upper(),
            exchange=ticker.get("xch") or "SMART",
            primary_exchange=ticker.get("prixch") or "",
            currency=ticker.get("currency") or "USD",
            order_type=(ticker.get("order_type") or "RELATIVE").upper(),
            tif=(ticker.get("tif") or "").upper(),
        )

    @property
    def is_limit(self) -> bool:
        return self.order_type in LIMIT_TYPES


@dataclass(frozen=True)
class Quote:
    """A price known for a symbol and when it was true (seconds since the epoch)."""

    price: float
    at: float
    source: str  # "posted" (POST /v3/price), "alert", "fill"


def newest(*quotes: Quote | None) -> Quote | None:
    """The newest of the quotes known; of two as new, the first."""
    known = [quote for quote in quotes if quote is not None]
    return max(known, key=lambda quote: quote.at) if known else None


@dataclass(frozen=True)
class LegOrder:
    ref: str  # kept by the broker with the order: a restarted bridge finds what it placed
    signal_rowid: int
    leg: int
    symbol: str  # the signal leg's own spelling: fills and positions are reported under it
    action: str  # BUY or SELL
    quantity: int
    instrument: Instrument = Instrument()
    price: Quote | None = None  # the newest price known for the leg: where a paper fill starts
    limit: float | None = None  # for a limit order: the alert's price, never an old fill
    hedge: float | None = None  # leg 2 of a pair: its ratio to leg 1 (IB's pair hedge)


def leg_ref(rowid: int, leg: int) -> str:
    return f"pairs-{rowid}-leg{leg}"


def rowid_of_ref(ref: str) -> int | None:
    """The signal an order was placed for, read back from its reference."""
    parts = ref.split("-")
    if len(parts) == 3 and parts[0] == "pairs" and parts[1].isdigit():
        return int(parts[1])
    return None


def leg_of_ref(ref: str) -> int | None:
    parts = ref.split("-")
    if rowid_of_ref(ref) is not None and parts[2] in ("leg1", "leg2"):
        return int(parts[2][-1])
    return None


def signal_time(signal: dict[str, Any]) -> float | None:
    """The signal's time (the service's ``YYYY-MM-DD HH:MM:SS``, UTC) in epoch seconds."""
    try:
        stamp = datetime.fromisoformat(str(signal.get("timestamp")))
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def _opposite(action: str) -> str:
    return "SELL" if action == "BUY" else "BUY"


def leg_quantities(signal: dict[str, Any]) -> list[int]:
    contracts = int(signal["order_contracts"])
    if signal.get("ticker_type") != "pair":
        return [contracts]
    second = math.floor(Decimal(contracts) * Decimal(str(signal["hedge_param"] or 0)))
    return [contracts, second] if second > 0 else [contracts]


def leg_prices(signal: dict[str, Any], quotes: Mapping[str, Quote]) -> dict[int, Quote | None]:
    """The newest price of each leg: the newest of a price posted to the service, a fill and,
    for a single, the alert's own price. A pair's alert prices a spread, not a leg: it prices
    leg 1 (through leg 2's newest price) only when leg 1 has no price of its own."""
    alert_at = signal_time(signal) or 0.0
    alert_price = signal.get("order_price")
    symbol1 = signal["ticker1"]
    if signal.get("ticker_type") != "pair":
        alert = None if alert_price is None else Quote(float(alert_price), alert_at, "alert")
        return {1: newest(alert, quotes.get(symbol1))}  # a tie goes to the alert
    second = quotes.get(signal["ticker2"])
    implied = None
    if alert_price is not None and second is not None:
        hedge = float(signal["hedge_param"] or 0)
        implied = Quote(round(float(alert_price) + hedge * second.price, 6), alert_at, "alert")
    return {1: quotes.get(symbol1) or implied, 2: second}


def limit_price(signal: dict[str, Any], quotes: Mapping[str, Quote]) -> float:
    """A limit order's price from the alert: a single's is the alert's price; a pair's leg 1 is
    the alert's spread plus hedge × leg 2's newest price (leg 2 follows leg 1 at market)."""
    alert_price = signal.get("order_price")
    if alert_price is None:
        raise OrderRefused("a limit order needs the alert's price (order_price)")
    if signal.get("ticker_type") != "pair":
        return float(alert_price)
    second = quotes.get(signal["ticker2"])
    if second is None:
        raise OrderRefused(
            f"no price is known for {signal['ticker2']}: the pair's limit is its spread plus "
            "hedge × leg 2's price (post one to /v3/price)"
        )
    return round(float(alert_price) + float(signal["hedge_param"] or 0) * second.price, 6)


def leg_orders(
    signal: dict[str, Any],
    instruments: Mapping[str, Instrument] | None = None,
    quotes: Mapping[str, Quote] | None = None,
) -> list[LegOrder]:
    """The orders a signal stands for: one for a single, two for a pair (leg 2 opposite, a
    hedge of leg 1). A symbol missing from ``instruments`` is taken as a US stock routed SMART.
    Raises OrderRefused when a limit order cannot be priced from the alert."""
    instruments = instruments or {}
    quotes = quotes or {}
    rowid, action = signal["rowid"], signal["order_action"].upper()
    symbols = [signal["ticker1"], signal.get("ticker2") or ""]
    prices = leg_prices(signal, quotes)
    legs = []
    for number, quantity in enumerate(leg_quantities(signal), start=1):
        symbol = symbols[number - 1]
        legs.append(
            LegOrder(
                leg_ref(rowid, number),
                rowid,
                number,
                symbol,
                action if number == 1 else _opposite(action),
                quantity,
                instruments.get(symbol, Instrument()),
                prices.get(number),
                hedge=float(signal["hedge_param"]) if number == 2 else None,
            )
        )
    if legs[0].instrument.is_limit:
        legs[0] = replace(legs[0], limit=limit_price(signal, quotes))
    return legs


def with_slippage(price: float, action: str, slippage: float) -> float:
    """A buy pays a little more, a sell gets a little less."""
    return round(price * (1 + slippage if action == "BUY" else 1 - slippage), 6)
