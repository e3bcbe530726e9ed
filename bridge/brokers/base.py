from dataclasses import dataclass
from typing import Protocol

from ..orders import LegOrder, Quote

# An order's state as the bridge tells it apart.
OPEN, FILLED, CANCELED = "open", "filled", "canceled"


class BrokerUnavailable(Exception):
    """The broker cannot be asked now (disconnected, or its state not synchronised yet). Nothing
    is placed while this holds: an order the broker may already have could be placed twice."""


@dataclass
class PlacedOrder:
    order_id: int
    ref: str
    symbol: str
    action: str
    quantity: int
    filled: float = 0.0  # cumulative
    average_price: float | None = None
    status: str = OPEN
    message: str = ""  # the broker's warnings and errors about this order
    commission: float = 0.0

    @property
    def done(self) -> bool:
        return self.status != OPEN or self.filled >= self.quantity


@dataclass(frozen=True)
class Position:
    symbol: str  # the service's spelling when the broker knows it, else ""
    quantity: float
    average_cost: float
    unrealized_pnl: float
    # How the service may spell it (EUR.USD, EURUSD, EUR): tried in turn when ``symbol`` is ""
    spellings: tuple[str, ...] = ()
    realized_pnl: float = 0.0


class BrokerMisconfigured(Exception):
    """The bridge's settings do not fit the broker (several accounts and none chosen): it
    stops, saying what to change, rather than trade the wrong account."""


class Broker(Protocol):
    def find(self, ref: str) -> PlacedOrder | None:
        """The order placed under ``ref``, if any: checked before placing, so that a restart
        never places an order twice. Raises BrokerUnavailable when it cannot be known."""

    def place(self, legs: list[LegOrder]) -> list[PlacedOrder]:
        """Place a signal's legs, leg 2 of a pair linked to leg 1 so that it works only as leg 1
        fills. Raises OrderRefused (the signal's error) or BrokerUnavailable."""

    def orders(self) -> list[PlacedOrder]:
        """Every order placed, with its fills so far."""

    def last_fill(self, symbol: str) -> Quote | None:
        """The price and time this broker last traded ``symbol`` at."""

    def advance(self) -> None:
        """Let time pass: partial fills complete (a real broker's events arrive)."""

    def wait_for_news(self, timeout: float) -> None:
        """Return when the broker has something new to report, or after ``timeout`` seconds."""

    def positions(self) -> list[Position]: ...

    def account(self) -> dict[str, float]:
        """The account's figures under the broker's names (NetLiquidation...)."""

    def close(self) -> None:
        """Let go of the broker (its connection) as the bridge stops."""
