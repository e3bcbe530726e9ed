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


def _exact(number):
    # Through str(), so 0.29 is 0.29 and 100 × 0.29 is 29, not 28.999999999999996.
    return Decimal(str(number))


def leg_targets(order_contracts, hedge_param):
    """Target quantities of leg 1 and leg 2."""
    target2 = math.floor(_exact(order_contracts) * _exact(hedge_param or 0))
    return order_contracts, target2


def format_quantity(quantity):
    quantity = float(quantity)
    return str(int(quantity)) if quantity.is_integer() else f"{quantity:g}"


def slip_of(order_action, order_price, fill_price):
    """Positive slip is in the trader's favour: bought cheaper or sold dearer."""
    if order_price is None or fill_price is None:
        return None
    difference = order_price - fill_price if order_action == "buy" else fill_price - order_price
    return round(difference, 4)


def _remaining(target, filled):
    return max(_exact(target) - _exact(filled), Decimal(0))


def apply_fill(state, leg, price, filled_qty):
    """The signal after leg ``leg`` (1 or 2) reported ``price`` for ``filled_qty`` so far.

    A filled signal is left as it is, and so is a report older than one already recorded
    (a smaller cumulative quantity): reports may arrive twice or out of order.
    """
    if state.order_status == FILLED:
        return state
    previous_qty = state.filled_qty1 if leg == 1 else state.filled_qty2
    if filled_qty < previous_qty:
        return state
    if leg == 1:
        state = replace(state, price1=price, filled_qty1=filled_qty)
    else:
        state = replace(state, price2=price, filled_qty2=filled_qty)

    if state.ticker_type == SINGLE:
        remaining = _remaining(state.order_contracts, state.filled_qty1)
        state = replace(
            state,
            fill_price=state.price1,
            slip=slip_of(state.order_action, state.order_price, state.price1),
        )
        if remaining == 0:
            return replace(state, order_status=FILLED)
        return replace(
            state, order_status=PART_FILLED, status_msg=f"remained: {format_quantity(remaining)}"
        )

    if state.price1 is None or state.price2 is None:
        return replace(state, order_status=ONE_LEG_FILLED)

    fill_price = round(state.price1 - state.hedge_param * state.price2, 4)
    state = replace(
        state,
        fill_price=fill_price,
        slip=slip_of(state.order_action, state.order_price, fill_price),
    )
    targets = leg_targets(state.order_contracts, state.hedge_param)
    short = [
        f"remained({symbol}): {format_quantity(remaining)}"
        for symbol, target, filled in (
            (state.ticker1, targets[0], state.filled_qty1),
            (state.ticker2, targets[1], state.filled_qty2),
        )
        if (remaining := _remaining(target, filled)) > 0
    ]
    if not short:
        return replace(state, order_status=FILLED)
    return replace(state, order_status=PART_FILLED, status_msg=" | ".join(short))


def apply_cancel(state):
    """The signal after the bridge canceled its orders."""
    if state.order_status == FILLED:
        return state
    if state.order_status == PART_FILLED:
        message = f"(*)part.filled | {state.status_msg or ''}"
    else:
        message = "mult.act.orders"
    return replace(state, order_status=CANCELED, status_msg=message)
