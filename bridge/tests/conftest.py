import pytest
from django.db import connection

from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import ServerProcess, database_url_of

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


@pytest.fixture
def server(registry):
    with ServerProcess(
        database_url_of(connection), workers=2, env=SERVER_ENV, print_log=False
    ) as running:
        yield running
