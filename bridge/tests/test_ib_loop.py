"""The bridge with the IB broker, over HTTP against gunicorn, the fake TWS playing the broker:
contracts from the registry, fills in parts, a 399 warning, a rejection, positions and the
account; a bridge killed between a pair's legs, restarted, places each leg once; signals wait
while IB is down and are placed once it is back."""

import pytest

from bridge.brokers.ib import IBBroker
from bridge.client import ServiceClient
from bridge.engine import Bridge
from bridge.tests.fake_ib import FakeIB, FakeTWS
from bridge.tests.loop import Running, send, until
from instruments.models import Ticker
from pnl.models import AccountSnapshot
from signals.models import Signal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


@pytest.fixture
def tws():
    return FakeTWS()


def ib_broker(tws, client_id=7):
    return IBBroker(client_id=client_id, timeout=2, ib_factory=lambda: FakeIB(tws))


def signal(rowid=None):
    return Signal.objects.get(rowid=rowid) if rowid else Signal.objects.get()


def ref(leg, rowid=None):
    """The reference the bridge gives a leg's order (row ids go on across tests)."""
    return f"pairs-{rowid or signal().rowid}-leg{leg}"


def test_a_pair_and_a_forex_single_go_through_ib(server, tws):
    client = ServiceClient(f"{server.url}/v3", "webhook")
    broker = ib_broker(tws).start(wait=5)
    running = Running(Bridge(client, broker, account_every=0.5))
    try:
        send(server)  # NMFC-0.75*ROIC, buy 603 at a spread of 0.98
        assert until(lambda: signal().order_status == "created")
        pair = signal()
        assert (pair.order_id1, pair.order_id2) == (101, 102)
        (contract1, order1), (contract2, order2) = tws.received
        assert (contract1.symbol, order1.action, order1.totalQuantity) == ("NMFC", "BUY", 603)
        assert (contract2.symbol, order2.action, order2.totalQuantity) == ("ROIC", "SELL", 452)
        assert order1.orderType == "REL"  # the registry's default order type

        tws.fill(ref(1), 300, 10.0)
        assert until(lambda: signal().filled_qty1 == 300)
        tws.warn(ref(2))
        assert until(lambda: "399" in (signal().error_msg or ""))
        assert signal().order_status != "canceled"  # a warning leaves the order live
        tws.fill(ref(1), 303, 10.2)
        tws.fill(ref(2), 452, 12.0)
        assert until(lambda: signal().order_status == "filled")
        pair = signal()
        price1 = round((300 * 10.0 + 303 * 10.2) / 603, 6)
        assert (pair.price1, pair.price2, pair.filled_qty2) == (price1, 12.0, 452)
        assert pair.fill_price == round(price1 - 0.75 * 12.0, 4)
        assert until(lambda: Ticker.objects.get(symbol="ROIC").active_pos == -452)

        send(server, ticker="FX:EURUSD", order_contracts=20000, order_price=1.1)
        forex = Signal.objects.latest("rowid")
        assert until(lambda: signal(forex.rowid).order_status == "created")
        contract, order = tws.received[2]
        assert (contract.secType, contract.exchange, contract.symbol) == ("CASH", "IDEALPRO", "EUR")
        assert order.orderType == "MKT"  # the ticker's order type
        tws.reject(ref(1, forex.rowid))
        assert until(lambda: signal(forex.rowid).order_status == "canceled")
        assert signal(forex.rowid).error_msg.startswith("201 Order rejected")
        assert until(lambda: AccountSnapshot.objects.filter(net_liquidation=100000.5).exists())
    finally:
        running.close()
        broker.close()


class DiesBeforeLegTwo(IBBroker):
    """The bridge dies after IB took a pair's first leg."""

    def place(self, order, price):
        if order.leg == 2:
            raise SystemExit("bridge killed between the legs")
        return super().place(order, price)


def test_a_bridge_killed_between_a_pairs_legs_places_each_leg_once(server, tws):
    client = ServiceClient(f"{server.url}/v3", "webhook")
    send(server)
    dying = DiesBeforeLegTwo(client_id=7, timeout=2, ib_factory=lambda: FakeIB(tws)).start(5)
    with pytest.raises(SystemExit):
        Bridge(client, dying).take_all(client.waiting())
    dying.close()  # the process is gone: so is its connection
    assert [order.orderRef for _, order in tws.received] == [ref(1)]
    assert signal().order_status == "waiting"
    tws.fill(ref(1), 603, 10.0)  # filled at IB while no bridge ran

    broker = ib_broker(tws).start(wait=5)
    running = Running(Bridge(client, broker))
    try:
        assert until(lambda: signal().order_status not in ("waiting", "created"))
        tws.fill(ref(2), 452, 12.0)
        assert until(lambda: signal().order_status == "filled")
    finally:
        running.close()
        broker.close()
    assert [order.orderRef for _, order in tws.received] == [ref(1), ref(2)]
    assert (signal().order_id1, signal().order_id2) == (101, 102)
    assert signal().filled_qty1 == 603


def test_signals_wait_while_ib_is_down_and_are_placed_once_it_is_back(server, tws):
    tws.online = False
    client = ServiceClient(f"{server.url}/v3", "webhook")
    broker = ib_broker(tws).start()
    running = Running(Bridge(client, broker))
    try:
        send(server, ticker="AAPL", order_contracts=10, order_price=190.0)
        assert not until(lambda: tws.received, seconds=1.5)
        assert signal().order_status == "waiting"
        tws.online = True
        assert until(lambda: signal().order_status == "created", seconds=20)
        tws.fill(ref(1), 10, 190.1)
        assert until(lambda: signal().order_status == "filled")
    finally:
        running.close()
        broker.close()
    assert len(tws.received) == 1
