"""The paper broker as a market: fills at the newest price known, limits only at or better,
slippage, commissions and partial fills, a pair's leg 2 following leg 1, realized and
unrealized P&L apart, buying power and exchange hours refused in a broker's words, and a book
that survives a restart so that nothing is placed twice. Its accounting holds for any fills."""

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.brokers.ledger import Holding, after_fill
from bridge.brokers.paper import PaperBroker, UsStockHours
from bridge.orders import Instrument, LegOrder, OrderRefused, Quote


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


MONDAY_10_NY = at("2026-12-07 15:00:00")  # a Monday, 10:00 in New York
STOCK = Instrument("STK", "SMART", "NASDAQ", "USD", "MARKET")
LIMIT = Instrument("STK", "SMART", "NASDAQ", "USD", "LIMIT")


def leg(ref="pairs-1-leg1", symbol="AAPL", action="BUY", quantity=100, price=100.0, **more):
    rowid, number = int(ref.split("-")[1]), int(ref[-1])
    quote = None if price is None else Quote(price, MONDAY_10_NY - 1, "alert")
    instrument = more.pop("instrument", STOCK)
    return LegOrder(ref, rowid, number, symbol, action, quantity, instrument, quote, **more)


@pytest.fixture
def posted():
    """The prices posted to the service (``GET /v3/price``), by symbol."""
    return {}


@pytest.fixture
def paper(tmp_path, posted):
    def make(**options):
        options.setdefault("clock", lambda: MONDAY_10_NY)
        return PaperBroker(tmp_path / "book.json", price_of=posted.get, **options)

    return make


def test_an_order_fills_at_its_price_with_slippage_and_commission(paper):
    broker = paper(slippage=0.001, commission_per_share=0.005, commission_minimum=1.0, cash=50_000)
    (placed,) = broker.place([leg()])
    assert (placed.order_id, placed.filled, placed.average_price) == (1, 100, 100.1)
    assert placed.commission == 1.0  # 100 x 0.005 is under the minimum
    broker.place([leg("pairs-2-leg1", "MSFT", "SELL", 50, 200.0)])
    positions = {p.symbol: (p.quantity, p.average_cost) for p in broker.positions()}
    assert positions == {"AAPL": (100, 100.1), "MSFT": (-50, 199.8)}
    assert broker.account()["RealizedPnL"] == -2.0  # nothing closed: only commissions


def test_a_newer_posted_price_is_taken_over_the_alerts(paper, posted):
    posted["AAPL"] = Quote(210.0, MONDAY_10_NY - 0.5, "posted")
    (placed,) = paper().place([leg(price=190.0)])
    assert placed.average_price == 190.0  # the order's own price is the newest known here
    newer = leg("pairs-2-leg1", price=None)
    with pytest.raises(OrderRefused, match="no price is known for AAPL"):
        paper().place([newer])  # no price at all: refused, never a made-up one


def test_a_limit_order_fills_only_at_or_better_than_its_limit(paper, posted):
    broker = paper(slippage=0.01)
    (buy,) = broker.place([leg(price=101.0, limit=100.0, instrument=LIMIT)])
    assert (buy.filled, buy.status) == (0, "open")  # the market is above the limit
    posted["AAPL"] = Quote(99.5, MONDAY_10_NY + 60, "posted")
    broker.advance()
    filled = broker.find(buy.ref)
    assert (filled.filled, filled.average_price) == (100, 100.0)  # slippage stops at the limit
    (sell,) = broker.place(
        [leg("pairs-2-leg1", action="SELL", price=99.0, limit=99.5, instrument=LIMIT)]
    )
    assert sell.filled == 0


def test_partial_fills_come_in_two_parts_and_a_pairs_second_leg_follows_the_first(paper):
    broker = paper(partial_fills=True)
    legs = [
        leg("pairs-1-leg1", "NMFC", "BUY", 603, 13.0),
        leg("pairs-1-leg2", "ROIC", "SELL", 452, 15.0, hedge=0.75),
    ]
    first, second = broker.place(legs)
    assert (first.filled, second.filled) == (301, 225)  # floor(301 x 0.75)
    broker.advance()
    assert (broker.find(first.ref).filled, broker.find(second.ref).filled) == (603, 452)
    assert (first.average_price, second.average_price) == (13.0, 15.0)


def test_realized_and_unrealized_pnl_are_kept_apart(paper, posted):
    broker = paper()
    broker.place([leg("pairs-1-leg1", price=10.0)])
    broker.place([leg("pairs-2-leg1", action="SELL", quantity=50, price=12.0)])
    (position,) = broker.positions()
    assert (position.quantity, position.average_cost) == (50, 10.0)
    assert (position.realized_pnl, position.unrealized_pnl) == (100.0, 100.0)
    broker.place([leg("pairs-3-leg1", action="SELL", quantity=50, price=11.0)])
    (flat,) = broker.positions()
    assert (flat.quantity, flat.realized_pnl, flat.unrealized_pnl) == (0, 150.0, 0.0)
    account = broker.account()
    assert (account["RealizedPnL"], account["UnrealizedPnL"]) == (150.0, 0.0)
    assert account["NetLiquidation"] == 100_150.0


def test_the_average_cost_starts_again_when_a_position_crosses_zero(paper):
    broker = paper()
    broker.place([leg("pairs-1-leg1", quantity=100, price=10.0)])
    broker.place([leg("pairs-2-leg1", action="SELL", quantity=150, price=12.0)])
    (position,) = broker.positions()
    assert (position.quantity, position.average_cost, position.realized_pnl) == (-50, 12.0, 200)


def test_an_order_past_the_buying_power_is_refused_in_the_brokers_words(paper):
    broker = paper(cash=10_000)
    broker.place([leg(quantity=150, price=100.0)])  # 15,000 of stock on 50 % margin
    with pytest.raises(OrderRefused, match=r"EQUITY WITH LOAN VALUE \[10000.00 USD\] MUST"):
        broker.place([leg("pairs-2-leg1", quantity=100, price=100.0)])
    assert len(broker.orders()) == 1


@pytest.mark.parametrize(
    ("moment", "extended", "refused"),
    [
        ("2026-12-07 15:00:00", False, ""),  # Monday 10:00 New York
        ("2026-12-07 13:00:00", False, "regular hours"),  # 08:00: before the open
        ("2026-12-07 13:00:00", True, ""),  # ... but in extended hours
        ("2026-12-08 02:00:00", True, "extended hours"),  # 21:00 the evening before
        ("2026-12-06 15:00:00", True, "closed"),  # a Sunday
        ("2026-12-25 15:00:00", False, "closed"),  # Christmas
        ("2026-11-27 18:30:00", False, "closed"),  # 13:30 the day after Thanksgiving
    ],
)
def test_us_stocks_trade_in_the_exchanges_hours(moment, extended, refused):
    answer = UsStockHours().refusal(at(moment), extended)
    assert (refused in answer) if refused else answer == ""


def test_a_us_stock_order_outside_the_hours_is_refused_and_forex_goes_on(paper):
    sunday = paper(clock=lambda: at("2026-12-06 15:00:00"))
    with pytest.raises(
        OrderRefused, match="Order rejected - reason: the US stock market is closed"
    ):
        sunday.place([leg()])
    fx = Instrument("CASH", "IDEALPRO", "", "USD", "MARKET")
    (placed,) = sunday.place([leg(symbol="EURUSD", quantity=20000, price=1.08, instrument=fx)])
    assert (placed.filled, placed.commission) == (20000, 2.0)  # 0.2 bp of 21,600 is under 2


def test_a_restarted_broker_finds_what_it_placed_and_does_not_place_it_again(paper):
    first = paper(partial_fills=True)
    (placed,) = first.place([leg()])
    again = paper(partial_fills=True)  # the bridge restarted
    assert again.find(placed.ref) == placed
    assert again.place([leg(price=999.0)])[0].order_id == placed.order_id
    assert len(again.orders()) == 1
    again.advance()  # the rest of the partial fill survived the restart too
    assert again.find(placed.ref).filled == 100
    again.partial_fills = False
    assert again.place([leg("pairs-2-leg1", action="SELL")])[0].order_id == 2
    (position,) = paper().positions()
    assert (position.quantity, position.realized_pnl) == (0, 0.0)


def test_the_book_keeps_unfinished_orders_and_the_newest_finished_ones(paper, monkeypatch):
    from bridge.brokers import paper as module

    monkeypatch.setattr(module, "KEEP_ORDERS", 2)
    broker = paper(partial_fills=True)
    broker.place([leg("pairs-1-leg1", quantity=10, price=1.0)])  # left half filled
    broker.partial_fills = False
    for number in range(2, 5):
        broker.place([leg(f"pairs-{number}-leg1", quantity=10, price=1.0)])
    kept = paper()
    assert sorted(o.ref for o in kept.orders()) == ["pairs-1-leg1", "pairs-3-leg1", "pairs-4-leg1"]


# --- the accounting identity

FILLS = st.lists(
    st.tuples(
        st.integers(min_value=-500, max_value=500).filter(bool),
        st.decimals(min_value="0.01", max_value="1000", places=2).map(float),
    ),
    min_size=1,
    max_size=30,
)


@given(fills=FILLS, mark=st.decimals(min_value="0.01", max_value="1000", places=2).map(float))
def test_realized_plus_unrealized_is_the_pnl_of_all_fills_marked_at_the_last_price(fills, mark):
    holding = Holding()
    for quantity, price in fills:
        holding = after_fill(holding, quantity, price)
    marked = sum(quantity * (mark - price) for quantity, price in fills)
    assert math.isclose(holding.realized + holding.unrealized(mark), marked, abs_tol=1e-6)
    assert holding.quantity == sum(quantity for quantity, _ in fills)
    if holding.quantity == 0:
        assert holding.average_cost == 0


@given(fills=FILLS)
def test_the_paper_accounts_figures_add_up_for_any_fills(tmp_path_factory, fills):
    broker = PaperBroker(
        tmp_path_factory.mktemp("book") / "book.json",
        cash=10**9,
        commission_per_share=0.01,
        clock=lambda: MONDAY_10_NY,
    )
    for number, (quantity, price) in enumerate(fills, start=1):
        action = "BUY" if quantity > 0 else "SELL"
        broker.place(
            [leg(f"pairs-{number}-leg1", action=action, quantity=abs(quantity), price=price)]
        )
    account = broker.account()
    last = fills[-1][1]
    marked = sum(quantity * (last - price) for quantity, price in fills)
    commissions = sum(abs(quantity) * 0.01 for quantity, _ in fills)
    assert math.isclose(
        account["RealizedPnL"] + account["UnrealizedPnL"], marked - commissions, abs_tol=0.02
    )
    assert math.isclose(account["NetLiquidation"], 10**9 + marked - commissions, abs_tol=0.02)
