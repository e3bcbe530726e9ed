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


def test_a_signal_marked_filled_takes_no_report_within_its_target():
    state = replace(SINGLE, order_status=FILLED, price1=400.0, filled_qty1=60, fill_price=400.0)
    assert apply_fill(state, 1, 1.0, 100) is state
    assert apply_cancel(state) is state


def test_a_repeated_report_changes_nothing():
    once = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 603), 2, 15.55, 100)
    assert apply_fill(once, 2, 15.55, 100) is once
    assert apply_fill(once, 1, 12.6, 603) is once


def test_the_first_price_reported_for_a_quantity_stands():
    once = apply_fill(SINGLE, 1, 400.0, 60)
    assert apply_fill(once, 1, 400.5, 60) is once


def test_a_price_for_a_leg_with_nothing_filled_yet_is_taken():
    state = apply_fill(SINGLE, 1, 400.0, 0)
    assert (state.price1, state.order_status, state.status_msg) == (
        400.0,
        PART_FILLED,
        "remained: 100",
    )


def test_an_older_report_arriving_late_is_ignored():
    newer = apply_fill(SINGLE, 1, 400.0, 60)
    assert apply_fill(newer, 1, 401.0, 40) is newer


def test_a_canceled_signal_stays_canceled_when_its_executions_are_sent_again():
    part = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 603), 2, 15.55, 100)
    canceled = apply_cancel(part)
    for leg, price, qty in [(1, 12.6, 603), (2, 15.55, 100), (2, 15.5, 50), (1, 12.6, 0)]:
        assert apply_fill(canceled, leg, price, qty) is canceled


def test_a_fill_that_landed_before_the_cancel_is_recorded_and_the_signal_stays_canceled():
    canceled = apply_cancel(apply_fill(SINGLE, 1, 400.0, 30))
    later = apply_fill(canceled, 1, 400.1, 50)
    assert (later.order_status, later.status_msg, later.filled_qty1, later.price1) == (
        CANCELED,
        "(*)part.filled | remained: 50",
        50,
        400.1,
    )
    assert later.fill_price == 400.1


def test_a_canceled_signal_whose_legs_all_filled_after_all_is_filled():
    canceled = apply_cancel(apply_fill(SINGLE, 1, 400.0, 30))
    assert apply_fill(canceled, 1, 400.0, 100).order_status == FILLED


def test_filling_clears_the_remained_notes():
    part = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 603), 2, 15.55, 100)
    assert part.status_msg == "remained(ROIC): 352"
    filled = apply_fill(part, 2, 15.55, 452)
    assert (filled.order_status, filled.status_msg) == (FILLED, "")
    single = apply_fill(apply_fill(SINGLE, 1, 400.0, 20), 1, 400.0, 100)
    assert (single.order_status, single.status_msg) == (FILLED, "")


def test_an_overfilled_leg_is_stored_and_flagged():
    state = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 603), 2, 15.55, 99999)
    assert (state.order_status, state.filled_qty2, state.status_msg) == (
        FILLED,
        99999,
        "overfilled(ROIC): 99547",
    )
    assert apply_fill(SINGLE, 1, 400.0, 120).status_msg == "overfilled: 20"


def test_an_overfill_reported_after_the_signal_filled_is_stored_and_flagged():
    filled = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 603), 2, 15.55, 452)
    over = apply_fill(filled, 2, 15.6, 500)
    assert (over.order_status, over.filled_qty2, over.price2, over.status_msg) == (
        FILLED,
        500,
        15.6,
        "overfilled(ROIC): 48",
    )
    assert over.fill_price == round(12.6 - 0.75 * 15.6, 4)


def test_a_short_leg_and_an_overfilled_leg_are_both_named():
    state = apply_fill(apply_fill(SEED_PAIR, 1, 12.6, 610), 2, 15.55, 100)
    assert state.order_status == PART_FILLED
    assert state.status_msg == "remained(ROIC): 352 | overfilled(NMFC): 7"


def test_an_overfilled_first_leg_of_a_pair_is_flagged_at_once():
    state = apply_fill(SEED_PAIR, 1, 12.6, 700)
    assert (state.order_status, state.status_msg) == (ONE_LEG_FILLED, "overfilled(NMFC): 97")


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


reports = st.tuples(st.sampled_from([1, 2]), prices, st.integers(min_value=0, max_value=1_000))
events = st.one_of(reports, st.just("cancel"))


def _replay(state, sequence):
    for event in sequence:
        state = apply_cancel(state) if event == "cancel" else apply_fill(state, *event)
    return state


@given(
    st.sampled_from([SEED_PAIR, SINGLE, replace(SEED_PAIR, order_contracts=10, hedge_param=1.5)]),
    st.lists(events, max_size=10),
    st.data(),
)
def test_repeated_reports_give_the_same_final_state_as_the_sequence_without_them(
    start, sequence, data
):
    """The bridge re-sends executions it already sent, at any later moment: each report may come
    again any number of times after its first sending, between any later events."""
    with_repeats = []
    sent = []
    for event in sequence:
        with_repeats.append(event)
        if event != "cancel":
            sent.append(event)
        if sent:
            with_repeats += data.draw(st.lists(st.sampled_from(sent), max_size=3))
    assert _replay(start, with_repeats) == _replay(start, sequence)
