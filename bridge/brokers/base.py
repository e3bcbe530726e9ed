from dataclasses import dataclass
from typing import Protocol

from ..orders import LegOrder

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
    symbol: str
    quantity: float
    average_cost: float
    unrealized_pnl: float


class Broker(Protocol):
    def find(self, ref: str) -> PlacedOrder | None:
        """The order placed under ``ref``, if any: checked before placing, so that a restart
        never places an order twice. Raises BrokerUnavailable when it cannot be known."""

    def place(self, order: LegOrder, price: float) -> PlacedOrder:
        """Place ``order``; ``price`` is the price the signal implies for it."""

    def orders(self) -> list[PlacedOrder]:
        """Every order placed, with its fills so far."""

    def last_price(self, symbol: str) -> float | None:
        """The price this broker last traded ``symbol`` at."""

    def advance(self) -> None:
        """Let time pass: partial fills complete (a real broker's events arrive)."""

    def wait_for_news(self, timeout: float) -> None:
        """Return when the broker has something new to report, or after ``timeout`` seconds."""

    def positions(self) -> list[Position]: ...

    def account(self) -> dict[str, float]:
        """The account's figures under the broker's names (NetLiquidation...)."""

    def close(self) -> None:
        """Let go of the broker (its connection) as the bridge stops."""
