"""Manual orders from the console, pure: what buy, sell, close and revert mean for a position.

Close is the opposite of the current position, revert twice that (it ends the other way round
by the same size). A pair's position is its first leg's."""

from dataclasses import dataclass

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
