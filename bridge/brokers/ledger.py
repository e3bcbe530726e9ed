"""A position's accounting, as a broker keeps it (pure): average cost, realized and unrealized
P&L. Realized P&L is booked only on the part of a fill that closes the position; the average
cost moves only when the position grows, and starts again at the fill's price when the position
crosses zero. So realized + unrealized is always the P&L of every fill marked at the last
price."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Holding:
    quantity: float = 0.0  # signed: short is negative
    average_cost: float = 0.0
    realized: float = 0.0  # before commissions

    def unrealized(self, mark: float) -> float:
        return self.quantity * (mark - self.average_cost)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def after_fill(holding: Holding, signed_quantity: float, price: float) -> Holding:
    """The holding after buying (positive) or selling (negative) ``signed_quantity`` at
    ``price``."""
    quantity, cost, realized = holding.quantity, holding.average_cost, holding.realized
    if signed_quantity == 0:
        return holding
    after = quantity + signed_quantity
    if quantity == 0 or _sign(quantity) == _sign(signed_quantity):  # opening or adding
        return Holding(after, (quantity * cost + signed_quantity * price) / after, realized)
    closed = min(abs(signed_quantity), abs(quantity))
    realized += closed * (price - cost) * _sign(quantity)
    if after == 0:
        return Holding(0.0, 0.0, realized)
    if _sign(after) == _sign(quantity):  # part of it closed: the rest keeps its cost
        return Holding(after, cost, realized)
    return Holding(after, price, realized)  # crossed zero: what is left opened at this price
