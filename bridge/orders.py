"""What a signal asks of the broker, and at what price a paper broker fills it: pure functions,
the same arithmetic as the service's (leg 2 is floor(contracts × hedge); a pair's price is the
spread leg1 − hedge × leg2)."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WAITING = ("waiting", "rerouted")


@dataclass(frozen=True)
class Instrument:
    """How the service registers a ticker: what a broker needs to name the contract."""

    sectype: str = "STK"  # STK, CASH (forex) or CRYPTO
    exchange: str = "SMART"
    primary_exchange: str = ""
    currency: str = "USD"
    order_type: str = "RELATIVE"

    @classmethod
    def of_ticker(cls, ticker: dict[str, Any]) -> "Instrument":
        """From the service's ticker JSON (``sectype``, ``xch``, ``prixch``...)."""
        return cls(
            sectype=(ticker.get("sectype") or "STK").upper(),
            exchange=ticker.get("xch") or "SMART",
            primary_exchange=ticker.get("prixch") or "",
            currency=ticker.get("currency") or "USD",
            order_type=(ticker.get("order_type") or "RELATIVE").upper(),
        )


@dataclass(frozen=True)
class LegOrder:
    ref: str  # kept by the broker with the order: a restarted bridge finds what it placed
    signal_rowid: int
    leg: int
    symbol: str
    action: str  # BUY or SELL
    quantity: int
    instrument: Instrument = Instrument()


def leg_ref(rowid: int, leg: int) -> str:
    return f"pairs-{rowid}-leg{leg}"


def rowid_of_ref(ref: str) -> int | None:
    """The signal an order was placed for, read back from its reference."""
    parts = ref.split("-")
    if len(parts) == 3 and parts[0] == "pairs" and parts[1].isdigit():
        return int(parts[1])
    return None


def _opposite(action: str) -> str:
    return "SELL" if action == "BUY" else "BUY"


def leg_orders(
    signal: dict[str, Any], instruments: Mapping[str, Instrument] | None = None
) -> list[LegOrder]:
    """The orders a signal stands for: one for a single, two for a pair (leg 2 opposite).
    A symbol missing from ``instruments`` is taken as a US stock routed SMART."""
    instruments = instruments or {}
    rowid, action = signal["rowid"], signal["order_action"].upper()
    contracts = int(signal["order_contracts"])
    symbol1 = signal["ticker1"]
    legs = [
        LegOrder(
            leg_ref(rowid, 1),
            rowid,
            1,
            symbol1,
            action,
            contracts,
            instruments.get(symbol1, Instrument()),
        )
    ]
    if signal.get("ticker_type") == "pair":
        quantity = math.floor(Decimal(contracts) * Decimal(str(signal["hedge_param"] or 0)))
        symbol2 = signal["ticker2"]
        if quantity > 0:
            legs.append(
                LegOrder(
                    leg_ref(rowid, 2),
                    rowid,
                    2,
                    symbol2,
                    _opposite(action),
                    quantity,
                    instruments.get(symbol2, Instrument()),
                )
            )
    return legs


def paper_prices(
    signal: dict[str, Any], known: dict[str, float], leg2_default: float
) -> dict[int, float]:
    """The price each leg fills at before slippage: its last known price; a single without one
    fills at the alert's price; a pair's unknown leg 2 takes ``leg2_default`` and an unknown
    leg 1 the price that makes the spread the alert's."""
    symbol1 = signal["ticker1"]
    alert_price = signal.get("order_price")
    if signal.get("ticker_type") != "pair":
        price = known.get(symbol1, alert_price)
        return {1: float(price if price is not None else leg2_default)}
    hedge = float(signal["hedge_param"] or 0)
    price2 = known.get(signal["ticker2"], leg2_default)
    if symbol1 in known:
        price1 = known[symbol1]
    elif alert_price is not None:
        price1 = float(alert_price) + hedge * price2
    else:
        price1 = leg2_default
    return {1: round(price1, 6), 2: round(price2, 6)}


def with_slippage(price: float, action: str, slippage: float) -> float:
    """A buy pays a little more, a sell gets a little less."""
    return round(price * (1 + slippage if action == "BUY" else 1 - slippage), 6)
