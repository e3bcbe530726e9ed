"""What a signal asks of the broker, and the paper prices: the service's own arithmetic."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.orders import (
    Instrument,
    LegOrder,
    leg_orders,
    paper_prices,
    rowid_of_ref,
    with_slippage,
)
from signals.fills import leg_targets

PAIR = {
    "rowid": 7,
    "order_action": "buy",
    "order_contracts": 603,
    "order_price": 0.98,
    "ticker_type": "pair",
    "ticker1": "NMFC",
    "ticker2": "ROIC",
    "hedge_param": 0.75,
}
SINGLE = {
    "rowid": 8,
    "order_action": "sell",
    "order_contracts": 100,
    "order_price": 190.5,
    "ticker_type": "single",
    "ticker1": "AAPL",
    "ticker2": None,
    "hedge_param": None,
}


def test_a_pair_is_two_opposite_legs_the_second_floor_of_contracts_times_hedge():
    assert leg_orders(PAIR) == [
        LegOrder("pairs-7-leg1", 7, 1, "NMFC", "BUY", 603),
        LegOrder("pairs-7-leg2", 7, 2, "ROIC", "SELL", 452),  # floor(603 x 0.75)
    ]


def test_a_single_is_one_leg_and_a_hedge_too_small_for_one_share_leaves_out_leg_two():
    assert leg_orders(SINGLE) == [LegOrder("pairs-8-leg1", 8, 1, "AAPL", "SELL", 100)]
    assert len(leg_orders({**PAIR, "order_contracts": 1, "hedge_param": 0.5})) == 1


def test_the_hedge_is_taken_exactly_as_the_service_takes_it():
    # 0.29 x 100 is 28.999999999999996 in floats; the service's Decimal arithmetic says 29.
    assert leg_orders({**PAIR, "order_contracts": 100, "hedge_param": 0.29})[1].quantity == 29


def test_a_pair_with_no_known_prices_fills_at_the_alerts_spread():
    prices = paper_prices(PAIR, {}, leg2_default=100.0)
    assert prices == {1: 75.98, 2: 100.0}
    assert round(prices[1] - 0.75 * prices[2], 6) == 0.98  # the service's fill price


@pytest.mark.parametrize(
    "known, expected",
    [
        ({"ROIC": 15.55}, {1: 12.6425, 2: 15.55}),
        ({"NMFC": 12.6, "ROIC": 15.55}, {1: 12.6, 2: 15.55}),
        ({"NMFC": 12.6}, {1: 12.6, 2: 100.0}),
    ],
)
def test_known_leg_prices_come_first(known, expected):
    assert paper_prices(PAIR, known, leg2_default=100.0) == expected


def test_a_single_fills_at_its_last_price_else_the_alerts():
    assert paper_prices(SINGLE, {}, 100.0) == {1: 190.5}
    assert paper_prices(SINGLE, {"AAPL": 191.0}, 100.0) == {1: 191.0}
    assert paper_prices({**SINGLE, "order_price": None}, {}, 100.0) == {1: 100.0}


def test_slippage_goes_against_the_trader():
    assert with_slippage(100.0, "BUY", 0.001) == 100.1
    assert with_slippage(100.0, "SELL", 0.001) == 99.9


@given(
    contracts=st.integers(min_value=1, max_value=10**6),
    hedge=st.decimals(min_value="0.0001", max_value="50", places=4).map(float),
)
def test_the_bridges_second_leg_is_the_quantity_the_service_expects(contracts, hedge):
    # The bridge cannot import the service; its arithmetic must still be the service's, or
    # a pair would end "remained" or "overfilled".
    legs = leg_orders({**PAIR, "order_contracts": contracts, "hedge_param": hedge})
    second = legs[1].quantity if len(legs) == 2 else 0
    assert second == leg_targets(contracts, hedge)[1]


def test_each_leg_carries_its_tickers_registration_and_an_unknown_one_is_a_smart_stock():
    cash = Instrument.of_ticker(
        {"sectype": "cash", "xch": "IDEALPRO", "prixch": "", "currency": "USD", "order_type": "mkt"}
    )
    assert cash == Instrument("CASH", "IDEALPRO", "", "USD", "MKT")
    legs = leg_orders(PAIR, {"NMFC": cash})
    assert legs[0].instrument == cash
    assert legs[1].instrument == Instrument("STK", "SMART", "", "USD", "RELATIVE")
    assert Instrument.of_ticker({}) == Instrument()


@pytest.mark.parametrize(
    ("ref", "rowid"),
    [
        ("pairs-7-leg1", 7),
        ("pairs-123456-leg2", 123456),
        ("manual-7", None),
        ("pairs-x-leg1", None),
    ],
)
def test_an_orders_reference_names_its_signal(ref, rowid):
    assert rowid_of_ref(ref) == rowid
