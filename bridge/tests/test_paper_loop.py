"""The whole loop over HTTP against gunicorn: a paper trading day (prices posted, alerts, a pair
round trip) filled at the posted prices with P&L that adds up; a bridge that dies between
placing and writing back, restarted, places nothing twice; the waiting list when the stream is
not there; and ``python -m bridge`` stopping at once on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bridge.brokers.paper import PaperBroker
from bridge.client import ServiceClient
from bridge.engine import Bridge
from bridge.tests.loop import Running, send, until
from instruments.models import Ticker
from pnl.models import AccountSnapshot
from safetynet.models import BridgeContact
from signals.models import Signal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


class OpenMarket:
    """Exchange hours are the paper broker's own tests' (test_paper.py): here, whatever the
    hour the suite runs at, the market is open."""

    def refusal(self, moment, extended):
        return ""


def paper_broker(server, book, **options):
    """The paper broker as ``python -m bridge`` makes it, the market open."""
    client = ServiceClient(f"{server.url}/v3", "webhook")
    return PaperBroker(book, price_of=client.newest_price, hours=OpenMarket(), **options)


def post_price(server, ticker, price):
    answer = requests.post(
        f"{server.url}/v3/price",
        json={"passphrase": "webhook", "ticker": ticker, "price": price},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text


def test_a_paper_trading_day_fills_at_the_posted_prices_and_its_pnl_adds_up(server, tmp_path):
    for n in range(40):  # a bar-close alert per leg, the newest last
        post_price(server, "NMFC", 13.0 + n * 0.005)
        post_price(server, "ROIC", 15.0 - n * 0.005)
    post_price(server, "AAPL", 190.0)
    broker = paper_broker(
        server, tmp_path / "book.json", commission_per_share=0.005, commission_minimum=1.0
    )
    client = ServiceClient(f"{server.url}/v3", "webhook")
    running = Running(Bridge(client, broker, refresh_every=0.5))
    try:
        send(server)  # NMFC-0.75*ROIC: buy 603 at a spread of 0.98
        send(server, ticker="NASDAQ:AAPL", order_contracts=100, order_price=189.0)
        assert until(lambda: Signal.objects.filter(order_status="filled").count() == 2)
        post_price(server, "NMFC", 13.5)  # the spread moves, then the pair is sold
        post_price(server, "ROIC", 14.8)
        post_price(server, "AAPL", 192.0)
        send(server, order_action="sell", order_price=2.4)
        send(server, ticker="AAPL", order_action="sell", order_contracts=100, order_price=193)
        assert until(lambda: Signal.objects.filter(order_status="filled").count() == 4)
        assert until(lambda: Ticker.objects.get(symbol="ROIC").active_pos == 0)
        assert until(lambda: AccountSnapshot.objects.filter(realized_pnl__gt=0).exists())
    finally:
        running.close()
    pair_buy, aapl_buy, pair_sell, aapl_sell = Signal.objects.order_by("rowid")
    # Each leg at its newest posted price (no slippage asked), never at a default.
    assert (pair_buy.price1, pair_buy.price2) == (13.195, 14.805)
    assert pair_buy.fill_price == round(13.195 - 0.75 * 14.805, 4)
    assert aapl_buy.price1 == 189.0  # the alert came after AAPL's posted 190: its price
    assert (pair_sell.price1, pair_sell.price2, aapl_sell.price1) == (13.5, 14.8, 193.0)
    commissions = 2 * (603 + 452) * 0.005 + 2 * 1.0  # AAPL's two orders pay the minimum
    pnl = 603 * (13.5 - 13.195) - 452 * (14.8 - 14.805) + 100 * (193.0 - 189.0)
    account = broker.account()
    assert account["RealizedPnL"] == pytest.approx(pnl - commissions, abs=0.01)
    assert account["UnrealizedPnL"] == 0
    assert account["NetLiquidation"] == pytest.approx(100_000 + pnl - commissions, abs=0.01)
    assert AccountSnapshot.objects.latest("rowid").realized_pnl == account["RealizedPnL"]
    assert BridgeContact.objects.filter(route="GET /v3/signals/stream").exists()


def test_a_signal_no_price_can_fill_is_an_error_in_the_brokers_words(server, tmp_path):
    client = ServiceClient(f"{server.url}/v3", "webhook")
    running = Running(Bridge(client, paper_broker(server, tmp_path / "book.json")))
    try:
        send(server, order_price=None)  # a pair with no alert price and no leg prices
        assert until(lambda: Signal.objects.get().order_status == "error")
    finally:
        running.close()
    assert "no price is known for NMFC" in Signal.objects.get().error_msg


class DiesAfterPlacing(PaperBroker):
    """A broker whose bridge dies right after the orders are placed."""

    def place(self, legs):
        placed = super().place(legs)
        raise SystemExit(f"bridge killed after placing {placed[0].order_id}")


def test_a_bridge_killed_between_placing_and_writing_back_places_nothing_twice(server, tmp_path):
    book = tmp_path / "book.json"
    client = ServiceClient(f"{server.url}/v3", "webhook")
    send(server, ticker="AAPL", order_contracts=10, order_price=5.0)
    dying = DiesAfterPlacing(book, hours=OpenMarket())
    with pytest.raises(SystemExit):
        Bridge(client, dying).take_all(client.waiting())
    assert Signal.objects.get().order_status == "waiting"  # nothing written back

    restarted = paper_broker(server, book)
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
    bridge = Bridge(client, paper_broker(server, tmp_path / "book.json"), long_poll_seconds=5)
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
    broker = paper_broker(server, tmp_path / "book.json")
    running = Running(Bridge(client, broker, list_every=1))
    try:
        time.sleep(0.5)  # the bridge follows the stream
        send(server, ticker="AAPL", order_contracts=3, order_price=5.0)
        # Found on the list at the next heartbeat (every second here) after a second.
        assert until(lambda: Signal.objects.get().order_status == "filled", seconds=6)
    finally:
        running.close()
    assert BridgeContact.objects.filter(route="GET /v3/signals/stream").exists()


def test_python_m_bridge_stops_placing_on_sigterm_and_exits_at_once(server, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", "--paper-book", str(tmp_path / "book.json")],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "BRIDGE_API": f"{server.url}/v3", "BRIDGE_PASSPHRASE": "webhook"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert until(
            lambda: BridgeContact.objects.filter(route="GET /v3/signals/stream").exists(), 20
        )
        process.send_signal(signal.SIGTERM)
        send(server, ticker="FX:EURUSD", order_contracts=20000, order_price=1.08)
        status = process.wait(timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert status == 0, process.stderr.read().decode()
    assert b"stopped" in process.stderr.read()
    assert Signal.objects.get().order_status == "waiting"  # nothing placed after the stop


def test_a_halt_stops_the_bundled_bridge_and_a_release_lets_one_through(server, tmp_path):
    from signals import services

    client = ServiceClient(f"{server.url}/v3", "webhook")
    send(server, ticker="FX:EURUSD", order_contracts=20000, order_price=1.08)
    services.halt_trading(reason="test")  # before any bridge took it
    send(server, ticker="FX:EURUSD", order_contracts=20000, order_price=1.08)
    broker = paper_broker(server, tmp_path / "book.json")
    running = Running(Bridge(client, broker))
    try:
        time.sleep(1.5)  # the bridge has read the list and follows the stream
        assert broker.orders() == []
        assert list(Signal.objects.values_list("order_status", flat=True)) == ["held", "held"]
        services.resume_trading()
        first = Signal.objects.order_by("rowid").first()
        assert services.release_signal(rowid=first.rowid).order_status == "waiting"
        assert until(lambda: Signal.objects.get(rowid=first.rowid).order_status == "filled")
    finally:
        running.close()
    assert len(broker.orders()) == 1
    assert Signal.objects.order_by("rowid").last().order_status == "held"
