from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from django.test import Client

from bridge.client import ServiceClient
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import ServerProcess, V3Client, database_url_of
from signals.models import Signal
from signals.tests.factories import alert

SERVER_ENV = {"STREAM_HEARTBEAT_SECONDS": "1"}


@pytest.fixture
def registry():
    TickerFactory(symbol="AAPL", active=True)
    TickerFactory(symbol="NMFC")
    TickerFactory(symbol="ROIC")
    TickerFactory(
        symbol="EUR.USD", sectype="CASH", xch="IDEALPRO", order_type="MARKET", active=True
    )
    PairFactory(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    # Spelt as a trader may register them: not as IB names the contracts.
    TickerFactory(symbol="USDJPY", sectype="CASH", order_type="LIMIT", active=True)
    TickerFactory(symbol="BTC", sectype="CRYPTO", xch="PAXOS", order_type="LIMIT", active=True)
    TickerFactory(symbol="EURUS", sectype="CASH", order_type="MARKET", active=True)  # a typo
    TickerFactory(symbol="ZZZZ", active=True)  # IB lists no such stock


@pytest.fixture
def server(registry):
    with ServerProcess(
        database_url_of(connection), workers=2, env=SERVER_ENV, print_log=False
    ) as running:
        yield running


class ServiceInProcess(requests.adapters.BaseAdapter):
    """The bridge's HTTP requests answered by the service's own views in this process (Django's
    test client): the real routes, checks and database, without a server. For the tests that
    call the bridge's steps one by one; the ``server`` fixture serves the whole loop."""

    def __init__(self) -> None:
        super().__init__()
        self.django = Client()

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in ("content-length", "host", "content-type")
        }
        answer = self.django.generic(
            request.method,
            path,
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", ""),
            headers=headers,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update(dict(answer.items()))
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    def close(self) -> None:
        """Nothing is held open."""


@pytest.fixture
def service(registry):
    """A ServiceClient whose requests the service answers in process."""
    client = ServiceClient("http://service/v3", "webhook")
    client.session.mount("http://service/", ServiceInProcess())
    return client


def post_alert(**fields) -> int:
    """An alert through the real webhook, in process; the stored signal's row id."""
    answer = V3Client().post("/v3/webhook", alert(**fields), format="json")
    assert answer.status_code == 201, answer.content
    return Signal.objects.latest("rowid").rowid
