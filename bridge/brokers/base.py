from dataclasses import dataclass
from typing import Protocol

from ..orders import LegOrder


@dataclass
class PlacedOrder:
    order_id: int
    ref: str
    symbol: str
    action: str
    quantity: int
    filled: float = 0.0  # cumulative
    average_price: float | None = None


@dataclass(frozen=True)
class Position:
    symbol: str
    quantity: float
    average_cost: float
    unrealized_pnl: float


class Broker(Protocol):
    def find(self, ref: str) -> PlacedOrder | None:
        """The order placed under ``ref``, if any: checked before placing, so that a restart
        never places an order twice."""

    def place(self, order: LegOrder, price: float) -> PlacedOrder:
        """Place ``order``; ``price`` is the price the signal implies for it."""

    def orders(self) -> list[PlacedOrder]:
        """Every order placed, with its fills so far."""

    def last_price(self, symbol: str) -> float | None:
        """The price this broker last traded ``symbol`` at."""

    def advance(self) -> None:
        """Let time pass: partial fills complete (a real broker's events arrive)."""

    def positions(self) -> list[Position]: ...

    def account(self) -> dict[str, float]:
        """The account's figures under the broker's names (NetLiquidation...)."""
