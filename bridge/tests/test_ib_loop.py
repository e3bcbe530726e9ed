"""The bridge with the IB broker, over HTTP against gunicorn, with the TWS stand-in on a real
socket: a pair and a forex single followed from the stream to their fills, positions and the
account; a bridge killed after IB took a pair, restarted, places nothing twice; signals wait
while IB cannot be reached and are placed once it is back."""

import pytest

from bridge.brokers.ib import IBBroker
from bridge.client import ServiceClient
from bridge.engine import Bridge
from bridge.tests.loop import Running, send, until
from bridge.tests.tws import TWS
from instruments.models import Ticker
from pairsapi.testing import free_port
from pnl.models import AccountSnapshot
from signals.models import Signal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


@pytest.fixture
def tws():
    with TWS() as running:
        yield running


def ib_broker(port, client_id=7):
    return IBBroker(port=port, client_id=client_id, timeout=3)


def signal(rowid=None):
    return Signal.objects.get(rowid=rowid) if rowid else Signal.objects.get()


def ref(leg, rowid=None):
    """The reference the bridge gives a leg's order (row ids go on across tests)."""
    return f"pairs-{rowid or signal().rowid}-leg{leg}"


def test_a_pair_and_a_forex_single_go_through_ib(server, tws):
    client = ServiceClient(f"{server.url}/v3", "webhook")
    broker = ib_broker(tws.port).start(wait=5)
    running = Running(Bridge(client, broker, refresh_every=0.5))
    try:
        send(server)  # NMFC-0.75*ROIC, buy 603 at a spread of 0.98
        assert until(lambda: signal().order_status == "created")
        leg1, leg2 = tws.order(ref(1)), tws.order(ref(2))
        assert (leg1.listing.symbol, leg1.action, leg1.quantity) == ("NMFC", "BUY", 603)
        assert (leg2.listing.symbol, leg2.action, leg2.quantity) == ("ROIC", "SELL", 452)
        assert leg1.order_type == "REL"  # the registry's default order type
        assert (leg2.hedge_type, leg2.parent_id) == ("P", leg1.order_id)
        assert (signal().order_id1, signal().order_id2) == (leg1.order_id, leg2.order_id)

        tws.fill(ref(1), 300, 10.0)
        assert until(lambda: signal().filled_qty1 == 300)
        tws.warn(ref(2))
        assert until(lambda: "399" in (signal().error_msg or ""))
        assert signal().order_status != "canceled"  # a warning leaves the order live
        tws.fill(ref(2), 225, 12.0)
        tws.fill(ref(1), 303, 10.2)
        tws.fill(ref(2), 227, 12.0)
        assert until(lambda: signal().order_status == "filled")
        pair = signal()
        price1 = round((300 * 10.0 + 303 * 10.2) / 603, 6)
        assert (pair.price1, pair.price2, pair.filled_qty2) == (price1, 12.0, 452)
        assert pair.fill_price == round(price1 - 0.75 * 12.0, 4)
        assert until(lambda: Ticker.objects.get(symbol="ROIC").active_pos == -452)

        send(server, ticker="FX:EURUSD", order_contracts=20000, order_price=1.1)
        forex = Signal.objects.latest("rowid")
        assert until(lambda: signal(forex.rowid).order_status == "created")
        order = tws.order(ref(1, forex.rowid))
        assert (order.listing.sectype, order.listing.exchange) == ("CASH", "IDEALPRO")
        assert order.order_type == "MKT"  # the ticker's order type
        tws.reject(ref(1, forex.rowid))
        assert until(lambda: signal(forex.rowid).order_status == "canceled")
        assert signal(forex.rowid).error_msg.startswith("201 Order rejected")
        assert until(lambda: AccountSnapshot.objects.filter(realized_pnl=0).exists())
    finally:
        running.close()
        broker.close()


class DiesAfterPlacing(IBBroker):
    """The bridge dies once IB took a pair's orders, before it writes their ids back."""

    def place(self, legs):
        super().place(legs)
        raise SystemExit("bridge killed after placing")


def test_a_bridge_killed_after_placing_a_pair_places_nothing_twice(server, tws):
    client = ServiceClient(f"{server.url}/v3", "webhook")
    send(server)
    dying = DiesAfterPlacing(port=tws.port, client_id=7, timeout=3).start(5)
    with pytest.raises(SystemExit):
        Bridge(client, dying).take_all(client.waiting())
    dying.close()  # the process is gone: so is its connection
    assert [order.ref for order in tws.orders] == [ref(1), ref(2)]
    assert signal().order_status == "waiting"
    tws.fill(ref(1), 603, 10.0)  # filled at IB while no bridge ran

    broker = ib_broker(tws.port).start(wait=5)
    running = Running(Bridge(client, broker))
    try:
        assert until(lambda: signal().order_status not in ("waiting", "created"))
        tws.fill(ref(2), 452, 12.0)
        assert until(lambda: signal().order_status == "filled")
    finally:
        running.close()
        broker.close()
    assert [order.ref for order in tws.orders] == [ref(1), ref(2)]
    assert signal().filled_qty1 == 603


def test_signals_wait_while_ib_is_down_and_are_placed_once_it_is_back(server):
    port = free_port()
    client = ServiceClient(f"{server.url}/v3", "webhook")
    broker = ib_broker(port).start()
    running = Running(Bridge(client, broker))
    try:
        send(server, ticker="AAPL", order_contracts=10, order_price=190.0)
        assert not until(lambda: signal().order_status != "waiting", seconds=1.5)
        with TWS(port=port) as tws:  # TWS comes up
            assert until(lambda: signal().order_status == "created", seconds=20)
            tws.fill(ref(1), 10, 190.1)
            assert until(lambda: signal().order_status == "filled")
            assert len(tws.orders) == 1
    finally:
        running.close()
        broker.close()
