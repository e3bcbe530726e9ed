"""Fill arithmetic: what a broker's fill report does to a signal. Pure: no Django.

A report carries one leg's average fill price so far and cumulative filled quantity. Leg 1's
target is ``order_contracts``; leg 2's is ``floor(order_contracts × hedge)``.
"""

import math
from dataclasses import dataclass, replace
from decimal import Decimal

SINGLE = "single"
FILLED = "filled"
PART_FILLED = "part.filled"
ONE_LEG_FILLED = "filled(...)"
CANCELED = "canceled"


@dataclass(frozen=True)
class FillState:
    """The fill-related fields of a signal."""

    ticker_type: str | None
    order_action: str
    order_contracts: int
    hedge_param: float | None
    order_price: float | None
    ticker1: str | None
    ticker2: str | None
    order_status: str
    status_msg: str | None = None
    price1: float | None = None
    price2: float | None = None
    filled_qty1: float = 0
    filled_qty2: float = 0
    fill_price: float | None = None
    slip: float | None = None


def _exact(number: float) -> Decimal:
    # Through str(), so 0.29 is 0.29 and 100 × 0.29 is 29, not 28.999999999999996.
    return Decimal(str(number))


def leg_targets(order_contracts: int, hedge_param: float | None) -> tuple[int, int]:
    """Target quantities of leg 1 and leg 2."""
    target2 = math.floor(_exact(order_contracts) * _exact(hedge_param or 0))
    return order_contracts, target2


def format_quantity(quantity: float | Decimal) -> str:
    quantity = float(quantity)
    return str(int(quantity)) if quantity.is_integer() else f"{quantity:g}"


def slip_of(order_action: str, order_price: float | None, fill_price: float | None) -> float | None:
    """Positive slip is in the trader's favour: bought cheaper or sold dearer."""
    if order_price is None or fill_price is None:
        return None
    difference = order_price - fill_price if order_action == "buy" else fill_price - order_price
    return round(difference, 4)


def _difference(target: float, filled: float) -> Decimal:
    return _exact(filled) - _exact(target)


def _leg_notes(legs: list[tuple[str, float, float]]) -> tuple[list[str], list[str]]:
    """``remained...`` notes for legs short of their target, ``overfilled...`` for legs past it."""
    short, over = [], []
    for label, target, filled in legs:
        difference = _difference(target, filled)
        if difference < 0:
            short.append(f"remained{label}: {format_quantity(-difference)}")
        elif difference > 0:
            over.append(f"overfilled{label}: {format_quantity(difference)}")
    return short, over


def _is_news(state: FillState, leg: int, filled_qty: float) -> bool:
    """Whether a report tells something not yet recorded. Reports are cumulative and the bridge
    re-sends the day's executions, so a smaller quantity is old, and the same quantity is a repeat
    once the leg has a price (the first price reported for a quantity stands)."""
    recorded_qty, recorded_price = (
        (state.filled_qty1, state.price1) if leg == 1 else (state.filled_qty2, state.price2)
    )
    return filled_qty > recorded_qty or (filled_qty == recorded_qty and recorded_price is None)


def apply_fill(state: FillState, leg: int, price: float, filled_qty: float) -> FillState:
    """The signal after leg ``leg`` (1 or 2) reported ``price`` for ``filled_qty`` so far.

    A report with nothing new leaves the signal as it is, status included (a canceled signal
    stays canceled). A signal marked filled takes only an overfill. Reaching every target makes
    the signal filled and clears the ``remained`` notes; a leg past its target is flagged.
    """
    if not _is_news(state, leg, filled_qty):
        return state
    targets = leg_targets(state.order_contracts, state.hedge_param)
    if state.order_status == FILLED and filled_qty <= targets[leg - 1]:
        return state
    if leg == 1:
        state = replace(state, price1=price, filled_qty1=filled_qty)
    else:
        state = replace(state, price2=price, filled_qty2=filled_qty)
    was_canceled = state.order_status == CANCELED

    if state.ticker_type == SINGLE:
        fill_price = state.price1
        short, over = _leg_notes([("", targets[0], state.filled_qty1)])
    else:
        short, over = _leg_notes(
            [
                (f"({state.ticker1})", targets[0], state.filled_qty1),
                (f"({state.ticker2})", targets[1], state.filled_qty2),
            ]
        )
        if state.price1 is None or state.price2 is None:
            return replace(
                state,
                order_status=CANCELED if was_canceled else ONE_LEG_FILLED,
                status_msg=" | ".join(over) if over else state.status_msg,
            )
        fill_price = round(state.price1 - (state.hedge_param or 0) * state.price2, 4)

    state = replace(
        state,
        fill_price=fill_price,
        slip=slip_of(state.order_action, state.order_price, fill_price),
    )
    if not short:
        return replace(state, order_status=FILLED, status_msg=" | ".join(over))
    message = " | ".join(short + over)
    if was_canceled:
        # Executions that landed before the cancel took effect: recorded, still canceled.
        return replace(state, status_msg=f"(*)part.filled | {message}")
    return replace(state, order_status=PART_FILLED, status_msg=message)


def apply_cancel(state: FillState) -> FillState:
    """The signal after the bridge canceled its orders."""
    if state.order_status == FILLED:
        return state
    if state.order_status == PART_FILLED:
        message = f"(*)part.filled | {state.status_msg or ''}"
    else:
        message = "mult.act.orders"
    return replace(state, order_status=CANCELED, status_msg=message)
