"""Manual orders from the console, pure: what buy, sell, close and revert mean for a position.

Close is the opposite of the current position, revert twice that (it ends the other way round
by the same size). A pair's position is its first leg's."""

from dataclasses import dataclass

from .fills import leg_targets

KINDS = ("buy", "sell", "close", "revert")


class NoOrder(ValueError):
    """The order asked for cannot be made (nothing to close, a size that is not a size)."""


@dataclass(frozen=True)
class ManualOrder:
    action: str  # buy or sell
    contracts: int


def manual_order(kind: str, position: float, contracts: int | None = None) -> ManualOrder:
    if kind not in KINDS:
        raise NoOrder(f"'{kind}' is not one of buy, sell, close or revert.")
    if kind in ("buy", "sell"):
        if contracts is None or contracts < 1:
            raise NoOrder("Give the number of contracts, 1 or more.")
        return ManualOrder(kind, contracts)
    size = int(abs(position))
    if size < 1:
        raise NoOrder("There is no open position to close or revert.")
    action = "sell" if position > 0 else "buy"
    return ManualOrder(action, size if kind == "close" else 2 * size)


@dataclass(frozen=True)
class PlannedSignal:
    """One signal a manual order makes: a pair's, or a single (leg 2's stub, or a ticker)."""

    expression: str
    action: str
    contracts: int
    stub: bool = False  # leg 2 of a pair traded alone: its leg is no single of its own


def pair_orders(
    kind: str,
    *,
    ticker1: str,
    ticker2: str,
    hedge: float,
    position1: float,
    position2: float,
    contracts: int | None = None,
) -> list[PlannedSignal]:
    """A pair's manual order from its legs' actual positions. Buy and sell are the pair's own
    signal. Close and revert take leg 1 by the pair's signal, then leg 2 by a signal of its
    own for whatever floor(contracts x hedge) leaves: a pair bought 100 and sold 50 closes
    flat on both legs, and a leg 2 left alone (leg 1 flat) is closed too."""
    expression = f"{ticker1}-{hedge:g}*{ticker2}"
    if kind in ("buy", "sell"):
        order = manual_order(kind, position1, contracts)
        return [PlannedSignal(expression, order.action, order.contracts)]
    if kind not in KINDS:
        manual_order(kind, position1)  # says in words what kinds there are
    planned = []
    after2 = position2
    if int(abs(position1)) >= 1:
        order = manual_order(kind, position1)
        planned.append(PlannedSignal(expression, order.action, order.contracts))
        moved = leg_targets(order.contracts, hedge)[1]
        after2 += moved if order.action == "sell" else -moved  # leg 2 goes the other way
    target2 = 0.0 if kind == "close" else -position2
    rest = target2 - after2
    if abs(rest) >= 1:
        planned.append(PlannedSignal(ticker2, "buy" if rest > 0 else "sell", int(abs(rest)), True))
    if not planned:
        raise NoOrder("There is no open position to close or revert.")
    return planned
