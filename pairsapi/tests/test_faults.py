"""Faults an operator meets: Redis down or hanging, slow clients. No alert may be lost to them,
and /healthz must keep answering and say what is wrong."""

import json
import socket
import time
from contextlib import contextmanager

import pytest
import requests
from django.core.cache import caches
from django.db import connection

from pairsapi import counters
from pairsapi.testing import (
    PASSWORD,
    ServerProcess,
    V3Client,
    database_url_of,
    free_port,
    make_user,
    silent_port,
)
from pnl.models import AccountSnapshot
from signals.models import Signal
from signals.tests.factories import make_single

ALERT = {
    "passphrase": "webhook",
    "ticker": "AAPL",
    "order_action": "buy",
    "order_contracts": 100,
    "order_price": 400.2,
}


@contextmanager
def redis_on_a_closed_port():
    yield f"redis://127.0.0.1:{free_port()}/0"


@contextmanager
def redis_that_never_answers():
    with silent_port() as port:
        yield f"redis://127.0.0.1:{port}/0"


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broken_redis", [redis_on_a_closed_port, redis_that_never_answers])
def test_a_broken_redis_costs_no_alert_and_no_write(broken_redis):
    make_user("trader")
    signal = make_single(order_id1=11, order_status="created")
    with (
        broken_redis() as redis_url,
        ServerProcess(
            database_url_of(connection), workers=2, env={"REDIS_URL": redis_url}
        ) as server,
    ):
        http = requests.Session()
        # timeout: without Redis timeouts of its own, a hanging Redis holds the request forever.
        answers = [
            http.post(f"{server.url}/v3/webhook", json=ALERT, timeout=5).status_code
            for _ in range(12)
        ]
        assert answers == [201] * 12
        fill = {"passphrase": "webhook", "order_id": 11, "symbol": "AAPL", "price": 400.0}
        response = http.put(
            f"{server.url}/v3/signal/updateorder", json={**fill, "filled_qty": 100}, timeout=5
        )
        assert response.status_code == 200 and response.json()["order_status"] == "filled"
        response = http.post(
            f"{server.url}/v3/regpnl",
            json={"passphrase": "webhook", "NetLiquidation": 62588},
            timeout=5,
        )
        assert response.status_code == 201
        response = http.post(
            f"{server.url}/v3/login", json={"username": "trader", "password": PASSWORD}, timeout=5
        )
        assert response.status_code == 200 and "access_token" in response.json()
        health = http.get(f"{server.url}/healthz", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "ok", "redis": "down"}
        assert "Redis failed" in server.output()
    assert Signal.objects.exclude(rowid=signal.rowid).count() == 12
    assert AccountSnapshot.objects.get().net_liquidation == 62588


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_healthz_reports_a_working_redis():
    with ServerProcess(
        database_url_of(connection), env={"REDIS_URL": "redis://127.0.0.1:6379/15"}
    ) as server:
        health = requests.get(f"{server.url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_after_a_redis_failure_the_counters_stay_in_the_database_for_a_while(settings, monkeypatch):
    settings.REDIS_RETRY_AFTER_SECONDS = 60
    with redis_that_never_answers() as redis_url:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
            }
        }
        monkeypatch.setattr(counters, "redis_outage", counters._RedisOutage())
        tries = []
        real_counter = counters._redis_hit_counter

        def counting(cache):
            tries.append(cache)
            return real_counter(cache)

        monkeypatch.setattr(counters, "_redis_hit_counter", counting)
        counts = [counters.count_hits("throttle:outage", 2, 60) for _ in range(3)]
    assert counts == [2, 4, 6]  # counted all the same, in the database
    assert len(tries) == 1  # Redis was tried once, then left alone
    assert counters.redis_outage.ongoing()
    caches["default"].close()


def _slow_sockets(url, count):
    """``count`` clients that start a request and never finish it: half stop inside the headers,
    half inside a body they announced."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for number in range(count):
        sock = socket.create_connection((host, int(port)))
        if number % 2:
            sock.sendall(b"POST /v3/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n")
        else:
            body = json.dumps(ALERT).encode()
            sock.sendall(
                b"POST /v3/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:20]
            )
        sockets.append(sock)
    return sockets


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_eight_slow_clients_do_not_stop_healthz_or_an_alert():
    with ServerProcess(database_url_of(connection), workers=2) as server:
        sockets = _slow_sockets(server.url, 8)
        try:
            time.sleep(0.5)  # let every slow request reach a worker
            for _ in range(5):
                # The bar: an answer within one second while they hang.
                assert requests.get(f"{server.url}/healthz", timeout=1).status_code == 200
            assert requests.post(f"{server.url}/v3/webhook", json=ALERT, timeout=1).ok
        finally:
            for sock in sockets:
                sock.close()
    assert Signal.objects.count() == 1


@pytest.mark.django_db
def test_healthz_names_redis_not_configured_without_redis():
    assert V3Client().get("/healthz").json()["redis"] == "not configured"
