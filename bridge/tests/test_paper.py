"""The paper broker: fills with slippage, in two parts on request, and a book that survives a
restart so that nothing is placed twice."""

from bridge.brokers.paper import PaperBroker
from bridge.orders import LegOrder

BUY = LegOrder("pairs-1-leg1", 1, 1, "AAPL", "BUY", 100)
SELL = LegOrder("pairs-1-leg2", 1, 2, "MSFT", "SELL", 50)


def test_an_order_fills_at_once_with_slippage_and_moves_cash_and_positions(tmp_path):
    broker = PaperBroker(tmp_path / "book.json", slippage=0.001, cash=10_000)
    placed = broker.place(BUY, 100.0)
    assert (placed.order_id, placed.filled, placed.average_price) == (1, 100, 100.1)
    broker.place(SELL, 200.0)
    positions = {p.symbol: (p.quantity, p.average_cost) for p in broker.positions()}
    assert positions == {"AAPL": (100, 100.1), "MSFT": (-50, 199.8)}
    account = broker.account()
    assert account["AvailableFunds"] == 10_000 - 10_010 + 9_990
    assert account["RealizedPnL"] == -1  # unknown, as the service shows it


def test_partial_fills_come_in_two_parts(tmp_path):
    broker = PaperBroker(tmp_path / "book.json", partial_fills=True)
    placed = broker.place(BUY, 100.0)
    assert placed.filled == 50
    broker.advance()
    assert broker.find(BUY.ref).filled == 100


def test_a_restarted_broker_finds_what_it_placed_and_does_not_place_it_again(tmp_path):
    book = tmp_path / "book.json"
    first = PaperBroker(book, partial_fills=True)
    placed = first.place(BUY, 100.0)
    again = PaperBroker(book, partial_fills=True)  # the bridge restarted
    assert again.find(BUY.ref) == placed
    assert again.place(BUY, 999.0).order_id == placed.order_id
    assert len(again.orders()) == 1
    again.advance()  # the rest of the partial fill survived the restart too
    assert again.find(BUY.ref).filled == 100
    assert again.place(SELL, 1.0).order_id == 2


def test_the_book_keeps_unfinished_orders_and_the_newest_finished_ones(tmp_path, monkeypatch):
    from bridge.brokers import paper

    monkeypatch.setattr(paper, "KEEP_ORDERS", 2)
    broker = PaperBroker(tmp_path / "book.json", partial_fills=True)
    orders = [LegOrder(f"pairs-{n}-leg1", n, 1, "AAPL", "BUY", 10) for n in range(1, 5)]
    broker.place(orders[0], 1.0)  # left half filled
    broker.partial_fills = False
    for order in orders[1:]:
        broker.place(order, 1.0)
    kept = PaperBroker(tmp_path / "book.json")
    assert sorted(o.ref for o in kept.orders()) == ["pairs-1-leg1", "pairs-3-leg1", "pairs-4-leg1"]
