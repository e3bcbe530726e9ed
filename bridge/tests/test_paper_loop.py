"""The whole loop over HTTP against gunicorn: alerts in, the paper bridge following the stream,
fills, positions and the account back in the service; a bridge that dies between placing and
writing back, restarted, places nothing twice."""

import time

import pytest

from bridge.brokers.paper import PaperBroker
from bridge.client import ServiceClient
from bridge.engine import Bridge
from bridge.tests.loop import Running, send, until
from instruments.models import Ticker
from pnl.models import AccountSnapshot
from safetynet.models import BridgeContact
from signals.models import Signal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


def test_alerts_fill_through_the_paper_bridge(server, tmp_path):
    broker = PaperBroker(tmp_path / "book.json", slippage=0.001, partial_fills=True)
    client = ServiceClient(f"{server.url}/v3", "webhook")
    running = Running(Bridge(client, broker, account_every=1))
    try:
        send(server, ticker="NASDAQ:AAPL", order_contracts=100, order_price=190.0)
        send(server)  # NMFC-0.75*ROIC, buy 603 at a spread of 0.98
        assert until(lambda: Signal.objects.filter(order_status="filled").count() == 2)
        # Positions and the account follow within the bridge's reporting interval.
        assert until(lambda: Ticker.objects.get(symbol="ROIC").active_pos == -452)
    finally:
        running.close()
    single, pair = Signal.objects.order_by("rowid")
    assert (single.filled_qty1, single.price1) == (100, 190.19)  # bought 0.1 % dearer
    assert (pair.filled_qty1, pair.filled_qty2) == (603, 452)
    assert pair.price2 == 99.9  # no ROIC price yet: the default, sold 0.1 % cheaper
    assert pair.fill_price == round(pair.price1 - 0.75 * pair.price2, 4)
    assert AccountSnapshot.objects.exists()
    assert len(broker.orders()) == 3
    # It followed the stream (the service saw it there), not the fallback.
    assert BridgeContact.objects.filter(route="GET /v3/signals/stream").exists()


class DiesAfterPlacing(PaperBroker):
    """A broker whose bridge dies right after the first order is placed."""

    def place(self, order, price):
        placed = super().place(order, price)
        raise SystemExit(f"bridge killed after placing {placed.order_id}")


def test_a_bridge_killed_between_placing_and_writing_back_places_nothing_twice(server, tmp_path):
    book = tmp_path / "book.json"
    client = ServiceClient(f"{server.url}/v3", "webhook")
    send(server, ticker="AAPL", order_contracts=10, order_price=5.0)
    with pytest.raises(SystemExit):
        Bridge(client, DiesAfterPlacing(book)).take_all(client.waiting())
    assert Signal.objects.get().order_status == "waiting"  # nothing written back

    restarted = PaperBroker(book)
    running = Running(Bridge(client, restarted))
    try:
        assert until(lambda: Signal.objects.get().order_status == "filled")
    finally:
        running.close()
    assert len(restarted.orders()) == 1
    assert Signal.objects.get().order_id1 == restarted.orders()[0].order_id == 1


def test_the_bridge_waits_on_the_list_when_the_stream_is_not_there(server, tmp_path, monkeypatch):
    client = ServiceClient(f"{server.url}/v3", "webhook")

    def no_stream(*args, **kwargs):
        from bridge.client import ServiceError

        raise ServiceError("stream: 404", 404)

    monkeypatch.setattr(client, "stream", no_stream)
    bridge = Bridge(client, PaperBroker(tmp_path / "book.json"), long_poll_seconds=5)
    running = Running(bridge)
    try:
        time.sleep(0.5)  # the bridge is holding the waiting list open
        send(server, ticker="AAPL", order_contracts=3, order_price=5.0)
        assert until(lambda: Signal.objects.get().order_status == "filled", seconds=4)
    finally:
        running.close()


def test_a_waiting_signal_the_stream_passed_over_is_still_taken_from_the_list(server, tmp_path):
    from bridge.client import StreamEvent

    client = ServiceClient(f"{server.url}/v3", "webhook")
    following = client.stream

    def passes_over_every_signal(last_event_id, status="waiting"):
        # As when a change's transaction stayed open past the service's settling wait: the
        # cursor moves on, the signal never comes.
        for event in following(last_event_id, status):
            yield StreamEvent(event.event_id, None)

    client.stream = passes_over_every_signal
    running = Running(Bridge(client, PaperBroker(tmp_path / "book.json"), list_every=1))
    try:
        time.sleep(0.5)  # the bridge follows the stream
        send(server, ticker="AAPL", order_contracts=3, order_price=5.0)
        # Found on the list at the next heartbeat (every second here) after a second.
        assert until(lambda: Signal.objects.get().order_status == "filled", seconds=6)
    finally:
        running.close()
    assert BridgeContact.objects.filter(route="GET /v3/signals/stream").exists()
