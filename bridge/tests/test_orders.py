"""What a signal asks of the broker and at what prices: the service's own arithmetic, the
newest known price of each leg, and limits from the alert."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.orders import (
    Instrument,
    LegOrder,
    OrderRefused,
    Quote,
    leg_orders,
    leg_prices,
    limit_price,
    rowid_of_ref,
    signal_time,
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
    "timestamp": "2026-12-07 15:00:00",
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
    "timestamp": "2026-12-07 15:00:00",
}
ALERT_AT = signal_time(PAIR) or 0.0


def test_a_pair_is_two_opposite_legs_the_second_floor_of_contracts_times_hedge():
    assert leg_orders(PAIR) == [
        LegOrder("pairs-7-leg1", 7, 1, "NMFC", "BUY", 603),
        LegOrder("pairs-7-leg2", 7, 2, "ROIC", "SELL", 452, hedge=0.75),  # floor(603 x 0.75)
    ]


def test_a_single_is_one_leg_and_a_hedge_too_small_for_one_share_leaves_out_leg_two():
    alert = Quote(190.5, ALERT_AT, "alert")
    assert leg_orders(SINGLE) == [LegOrder("pairs-8-leg1", 8, 1, "AAPL", "SELL", 100, price=alert)]
    assert len(leg_orders({**PAIR, "order_contracts": 1, "hedge_param": 0.5})) == 1


def test_the_hedge_is_taken_exactly_as_the_service_takes_it():
    # 0.29 x 100 is 28.999999999999996 in floats; the service's Decimal arithmetic says 29.
    assert leg_orders({**PAIR, "order_contracts": 100, "hedge_param": 0.29})[1].quantity == 29


def test_the_signals_time_is_read_as_utc():
    assert signal_time(PAIR) == 1796655600.0
    assert signal_time({"timestamp": None}) is None


def test_a_pair_with_no_known_prices_has_none_and_never_a_made_up_one():
    assert leg_prices(PAIR, {}) == {1: None, 2: None}


@pytest.mark.parametrize(
    ("known", "expected"),
    [
        # Leg 2 posted before the alert: the alert's spread prices leg 1 through it.
        ({"ROIC": Quote(15.55, ALERT_AT - 60, "posted")}, (12.6425, 15.55)),
        # Leg 1's own price is newer than the alert: it comes first.
        (
            {"NMFC": Quote(12.6, ALERT_AT + 5, "posted"), "ROIC": Quote(15.55, 0, "fill")},
            (12.6, 15.55),
        ),
        # A spread is no leg's price: leg 1's own, older than the alert, still comes first.
        (
            {"NMFC": Quote(11.0, ALERT_AT - 600, "fill"), "ROIC": Quote(15.55, 0, "posted")},
            (11.0, 15.55),
        ),
        ({"NMFC": Quote(12.6, 0, "posted")}, (12.6, None)),
    ],
)
def test_each_leg_takes_its_newest_price(known, expected):
    prices = leg_prices(PAIR, known)
    assert tuple(None if q is None else q.price for q in prices.values()) == expected


def test_a_single_takes_the_newer_of_its_posted_price_and_the_alerts():
    assert leg_prices(SINGLE, {})[1] == Quote(190.5, ALERT_AT, "alert")
    newer = Quote(191.0, ALERT_AT + 1, "posted")
    assert leg_prices(SINGLE, {"AAPL": newer})[1] == newer
    assert leg_prices(SINGLE, {"AAPL": Quote(150.0, ALERT_AT - 1, "fill")})[1].price == 190.5
    assert leg_prices({**SINGLE, "order_price": None}, {}) == {1: None}


def test_a_limit_comes_from_the_alert_never_from_an_old_fill():
    assert limit_price(SINGLE, {"AAPL": Quote(150.0, 0, "fill")}) == 190.5
    # A pair's: the alert's spread plus hedge x leg 2's newest price.
    assert limit_price(PAIR, {"ROIC": Quote(15.55, 0, "posted")}) == 12.6425
    with pytest.raises(OrderRefused, match="order_price"):
        limit_price({**SINGLE, "order_price": None}, {})
    with pytest.raises(OrderRefused, match="no price is known for ROIC"):
        limit_price(PAIR, {"NMFC": Quote(12.6, 0, "posted")})


def test_a_limit_order_carries_its_limit_on_leg_one_and_leg_two_its_hedge():
    limit = Instrument(order_type="LIMIT")
    legs = leg_orders(PAIR, {"NMFC": limit}, {"ROIC": Quote(15.55, 0, "posted")})
    assert (legs[0].limit, legs[1].limit, legs[1].hedge) == (12.6425, None, 0.75)
    assert leg_orders(PAIR)[0].limit is None  # RELATIVE: no limit


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
    assert Instrument.of_ticker({"tif": "gtc"}).tif == "GTC"
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
