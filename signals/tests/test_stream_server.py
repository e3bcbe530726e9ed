"""The signal stream and the long poll through gunicorn (2 workers), the subscriber on one
worker and concurrent writers on both: every committed signal arrives once, in cursor order;
a reconnect with Last-Event-ID gets exactly what it missed."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from instruments.tests.factories import TickerFactory
from pairsapi.testing import ServerProcess, database_url_of
from signals.models import Signal
from signals.tests.factories import alert

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]

WRITERS, ALERTS_EACH = 4, 30
# A closed client is noticed at the next write: a short heartbeat lets the test's own closes
# of its streams return quickly.
SERVER_ENV = {"STREAM_HEARTBEAT_SECONDS": "0.5"}


class Subscriber:
    """Reads the stream on a thread of its own; ``events`` holds (id, rowid, status)."""

    def __init__(self, base, last_event_id=None):
        headers = {"X-Passphrase": "webhook", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.response = requests.get(
            f"{base}/v3/signals/stream", headers=headers, stream=True, timeout=30
        )
        assert self.response.status_code == 200
        self.events = []
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert self.opened.wait(10)

    def _read(self):
        fields = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("retry:"):
                    self.opened.set()
                if line == "":
                    if fields.get("event") == "signal":
                        data = json.loads(fields["data"])
                        self.events.append((int(fields["id"]), data["rowid"], data["order_status"]))
                    fields = {}
                elif ": " in line and not line.startswith(":"):
                    name, value = line.split(": ", 1)
                    fields[name] = value
        except (requests.ConnectionError, AttributeError):
            pass  # closed by the test

    def wait_for(self, count, seconds=30):
        deadline = time.monotonic() + seconds
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events

    def close(self):
        self.response.close()


def post_alerts(base, count, symbol="AAPL"):
    session = requests.Session()
    for _ in range(count):
        answer = session.post(f"{base}/v3/webhook", json=alert(ticker=symbol), timeout=10)
        assert answer.status_code == 201, answer.text


def test_concurrent_writers_every_signal_once_in_order_and_a_resume_gets_the_rest():
    TickerFactory(symbol="AAPL", active=True)
    with ServerProcess(
        database_url_of(connection), workers=2, env=SERVER_ENV, print_log=False
    ) as server:
        subscriber = Subscriber(server.url)
        with ThreadPoolExecutor(WRITERS) as pool:
            for _ in range(WRITERS):
                pool.submit(post_alerts, server.url, ALERTS_EACH)
        total = WRITERS * ALERTS_EACH
        events = subscriber.wait_for(total)
        stored = list(Signal.objects.order_by("rowid").values_list("rowid", flat=True))
        assert len(stored) == total
        assert sorted(rowid for _, rowid, _ in events) == stored  # each once, none missing
        ids = [event_id for event_id, _, _ in events]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)

        # Status changes written back by the bridge come through as well.
        for rowid in stored[:5]:
            requests.put(
                f"{server.url}/v3/webhook",
                json={"passphrase": "webhook", "rowid": rowid, "order_status": "created"},
                timeout=10,
            )
        changed = subscriber.wait_for(total + 5)[total:]
        assert [(rowid, status) for _, rowid, status in changed] == [
            (rowid, "created") for rowid in stored[:5]
        ]
        subscriber.close()

        last_seen = changed[-1][0]
        post_alerts(server.url, 7)
        missed = list(Signal.objects.order_by("rowid").values_list("rowid", flat=True))[total:]
        resumed = Subscriber(server.url, last_event_id=last_seen)
        assert [rowid for _, rowid, _ in resumed.wait_for(7)] == missed
        time.sleep(0.3)
        assert len(resumed.events) == 7  # nothing sent twice
        resumed.close()


def test_the_long_poll_answers_as_soon_as_a_signal_arrives():
    TickerFactory(symbol="AAPL", active=True)
    with ServerProcess(
        database_url_of(connection), workers=2, env=SERVER_ENV, print_log=False
    ) as server:
        poll = f"{server.url}/v3/signals/status/waiting/0?wait=20"
        answers = []
        started = time.monotonic()
        bridge = {"X-Passphrase": "webhook"}  # an anonymous poll is not held
        waiting = threading.Thread(
            target=lambda: answers.append(requests.get(poll, headers=bridge, timeout=30))
        )
        waiting.start()
        time.sleep(0.5)
        post_alerts(server.url, 1)
        waiting.join(30)
        elapsed = time.monotonic() - started
        assert [s["ticker"] for s in answers[0].json()["signals"]] == ["AAPL"]
        assert elapsed < 10  # woken by the alert, not by the 20 s limit


def test_a_stopping_worker_ends_its_streams_instead_of_waiting_for_them():
    server = ServerProcess(database_url_of(connection), workers=1, print_log=False).start()
    try:
        subscriber = Subscriber(server.url)  # heartbeats 15 s apart: it would hold the stop
        started = time.monotonic()
        server.stop()
        assert server.process.returncode == 0
        assert time.monotonic() - started < 5
        subscriber.thread.join(5)
        assert not subscriber.thread.is_alive()  # the stream ended; a client reconnects
    finally:
        server.stop()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="NOTIFY is PostgreSQL's")
def test_a_commit_beside_the_notifying_one_is_still_sent_at_once():
    """Only one transaction in flight notifies; another committing just after it is seen on
    the listeners' second look, not at the next heartbeat 15 s later."""
    import psycopg2

    from signals.changes_sql import NOTIFY_LOCK

    params = connection.get_connection_params()
    holder, beside = psycopg2.connect(**params), psycopg2.connect(**params)
    insert = (
        "INSERT INTO signals_signal (timestamp, ticker, order_action, order_contracts, "
        "order_comment, order_status, filled_qty1, filled_qty2, ticker1, ticker_type) "
        "VALUES (now(), %s, 'buy', 1, '', 'waiting', 0, 0, %s, 'single') RETURNING rowid"
    )
    with ServerProcess(database_url_of(connection), workers=1, print_log=False) as server:
        subscriber = Subscriber(server.url)
        try:
            with holder.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NOTIFY_LOCK])
                cursor.execute(insert, ["A", "A"])
            with beside.cursor() as cursor:
                cursor.execute(insert, ["B", "B"])  # finds the lock taken: no NOTIFY of its own
                late = cursor.fetchone()[0]
            holder.commit()  # notifies
            time.sleep(0.03)
            beside.commit()  # after the notification, unannounced
            started = time.monotonic()
            arrived = subscriber.wait_for(2, seconds=5)
            assert late in [rowid for _, rowid, _ in arrived]
            assert time.monotonic() - started < 2
        finally:
            subscriber.close()
            holder.close()
            beside.close()


def test_open_streams_leave_the_other_threads_to_alerts_and_health_checks():
    TickerFactory(symbol="AAPL", active=True)
    env = {**SERVER_ENV, "WEB_THREADS": "4"}  # so at most 2 held requests
    with ServerProcess(database_url_of(connection), workers=1, env=env, print_log=False) as server:
        streams = [Subscriber(server.url), Subscriber(server.url)]
        try:
            third = requests.get(
                f"{server.url}/v3/signals/stream",
                headers={"X-Passphrase": "webhook"},
                timeout=10,
            )
            assert third.status_code == 503 and third.headers["Retry-After"] == "5"
            poll = requests.get(
                f"{server.url}/v3/signals/status/waiting/0?wait=5",
                headers={"X-Passphrase": "webhook"},
                timeout=10,
            )
            assert poll.status_code == 503
            assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
            post_alerts(server.url, 3)  # still stored, and sent to both streams
            for stream in streams:
                assert len(stream.wait_for(3, seconds=10)) == 3
        finally:
            for stream in streams:
                stream.close()
