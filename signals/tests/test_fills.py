from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signals.fills import (
    CANCELED,
    FILLED,
    ONE_LEG_FILLED,
    PART_FILLED,
    FillState,
    apply_cancel,
    apply_fill,
    format_quantity,
    leg_targets,
    slip_of,
)

SEED_PAIR = FillState(
    ticker_type="pair",
    order_action="buy",
    order_contracts=603,
    hedge_param=0.75,
    order_price=0.98,
    ticker1="NMFC",
    ticker2="ROIC",
    order_status="created",
)
SINGLE = FillState(
    ticker_type="single",
    order_action="buy",
    order_contracts=100,
    hedge_param=None,
    order_price=400.2,
    ticker1="AAPL",
    ticker2=None,
    order_status="created",
)


def test_seed_example_partial_fill_of_a_pair():
    state = apply_fill(SEED_PAIR, 1, 12.6, 603)
    assert state.order_status == ONE_LEG_FILLED
    assert state.fill_price is None and state.slip is None
    state = apply_fill(state, 2, 15.55, 100)
    assert state.order_status == PART_FILLED
    assert state.fill_price == 0.9375
    assert state.slip == 0.0425
    assert state.status_msg == "remained(ROIC): 352"
    assert (state.price1, state.price2, state.filled_qty1, state.filled_qty2) == (
        12.6,
        15.55,
        603,
        100,
    )


def test_pair_completes_when_both_legs_reach_their_targets():
    state = apply_fill(SEED_PAIR, 2, 15.55, 452)
    assert state.order_status == ONE_LEG_FILLED
    state = apply_fill(state, 1, 12.6, 603)
    assert state.order_status == FILLED
    assert state.fill_price == 0.9375


def test_pair_reports_every_short_leg():
    state = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 600), 2, 15.55, 100)
    assert state.status_msg == "remained(NMFC): 3 | remained(ROIC): 352"


def test_sell_slip_is_fill_minus_order_price():
    state = replace(SEED_PAIR, order_action="sell")
    state = apply_fill(apply_fill(state, 1, 12.6, 603), 2, 15.55, 452)
    assert state.order_status == FILLED
    assert state.slip == round(0.9375 - 0.98, 4) == -0.0425


def test_single_fill_price_is_the_leg_price():
    state = apply_fill(SINGLE, 1, 399.9, 40)
    assert state.order_status == PART_FILLED
    assert state.status_msg == "remained: 60"
    assert state.fill_price == 399.9
    assert state.slip == round(400.2 - 399.9, 4) == 0.3
    state = apply_fill(state, 1, 400.0, 100)
    assert state.order_status == FILLED
    assert state.fill_price == 400.0
    assert state.slip == 0.2


def test_single_sell():
    state = apply_fill(replace(SINGLE, order_action="sell"), 1, 401.0, 100)
    assert (state.order_status, state.slip) == (FILLED, 0.8)


def test_no_slip_without_an_order_price():
    state = apply_fill(replace(SINGLE, order_price=None), 1, 10.0, 100)
    assert state.fill_price == 10.0 and state.slip is None


def test_zero_prices_are_prices():
    state = apply_fill(replace(SINGLE, order_price=0.0), 1, 0.0, 100)
    assert (state.fill_price, state.slip, state.order_status) == (0.0, 0.0, FILLED)
    pair = apply_fill(apply_fill(replace(SEED_PAIR, order_price=0.0), 1, 0.0, 603), 2, 0.0, 452)
    assert (pair.fill_price, pair.slip, pair.order_status) == (0.0, 0.0, FILLED)


def test_negative_spread_of_a_pair():
    state = apply_fill(
        apply_fill(replace(SEED_PAIR, order_price=-0.01), 1, 10.0, 603), 2, 14.0, 452
    )
    assert state.fill_price == -0.5
    assert state.slip == 0.49


def test_a_filled_signal_is_left_as_it_is():
    state = replace(SINGLE, order_status=FILLED, price1=400.0, filled_qty1=100, fill_price=400.0)
    assert apply_fill(state, 1, 1.0, 200) is state
    assert apply_cancel(state) is state


def test_a_repeated_report_changes_nothing():
    once = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 603), 2, 15.55, 100)
    assert apply_fill(once, 2, 15.55, 100) == once


def test_an_older_report_arriving_late_is_ignored():
    newer = apply_fill(SINGLE, 1, 400.0, 60)
    assert apply_fill(newer, 1, 401.0, 40) is newer


def test_overfill_counts_as_filled():
    assert apply_fill(SINGLE, 1, 400.0, 120).order_status == FILLED


def test_fractional_quantities_are_written_plainly():
    state = apply_fill(SINGLE, 1, 400.0, 99.5)
    assert state.status_msg == "remained: 0.5"


@pytest.mark.parametrize(
    "contracts, hedge, targets",
    [
        (603, 0.75, (603, 452)),
        (100, 0.29, (100, 29)),
        (100, 0.72, (100, 72)),
        (3, 1 / 3, (3, 0)),
        (10, 1.25, (10, 12)),
        (7, 1.0, (7, 7)),
        (100, None, (100, 0)),
    ],
)
def test_leg_targets_floor_without_float_error(contracts, hedge, targets):
    assert leg_targets(contracts, hedge) == targets


def test_cancel_of_a_partly_filled_signal_keeps_its_message():
    state = apply_fill(SINGLE, 1, 400.0, 30)
    canceled = apply_cancel(state)
    assert canceled.order_status == CANCELED
    assert canceled.status_msg == "(*)part.filled | remained: 70"
    assert canceled.price1 == 400.0 and canceled.filled_qty1 == 30


@pytest.mark.parametrize("status", ["created", "waiting", ONE_LEG_FILLED, "canceled", "error"])
def test_cancel_of_anything_else_is_mult_act_orders(status):
    canceled = apply_cancel(replace(SINGLE, order_status=status, status_msg="x"))
    assert (canceled.order_status, canceled.status_msg) == (CANCELED, "mult.act.orders")


def test_cancel_of_part_filled_without_message():
    canceled = apply_cancel(replace(SINGLE, order_status=PART_FILLED, status_msg=None))
    assert canceled.status_msg == "(*)part.filled | "


def test_slip_of():
    assert slip_of("buy", 0.98, 0.9375) == 0.0425
    assert slip_of("sell", 0.98, 0.9375) == -0.0425
    assert slip_of("buy", None, 1.0) is None
    assert slip_of("buy", 1.0, None) is None


def test_format_quantity():
    assert format_quantity(352.0) == "352"
    assert format_quantity(0.25) == "0.25"


prices = st.floats(min_value=0, max_value=1e6, allow_nan=False)
quantities = st.integers(min_value=0, max_value=10_000)


@given(
    st.sampled_from(["buy", "sell"]),
    st.integers(min_value=1, max_value=10_000),
    st.decimals(min_value="0.01", max_value="10", places=2).map(float),
    st.lists(st.tuples(st.sampled_from([1, 2]), prices, quantities), max_size=8),
)
def test_any_sequence_of_reports_keeps_the_signal_consistent(action, contracts, hedge, reports):
    state = replace(SEED_PAIR, order_action=action, order_contracts=contracts, hedge_param=hedge)
    for leg, price, qty in reports:
        state = apply_fill(state, leg, price, qty)
    target1, target2 = leg_targets(contracts, hedge)
    assert state.order_status in ("created", ONE_LEG_FILLED, PART_FILLED, FILLED)
    if state.order_status == FILLED:
        assert state.filled_qty1 >= target1 and state.filled_qty2 >= target2
    if state.price1 is not None and state.price2 is not None:
        assert state.fill_price == round(state.price1 - hedge * state.price2, 4)
        assert state.slip == slip_of(action, state.order_price, state.fill_price)
