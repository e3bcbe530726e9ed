"""The webhook checks alerts against each worker's copy of the tickers and pairs; a copy older
than the database's registry must never decide a stored signal's status."""

import pytest
import requests
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from instruments import services as instrument_services
from instruments.models import Pair, RegistryVersion, Ticker
from instruments.registry import current_version, read_registry, refreshed_registry
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import (
    ServerProcess,
    V3Client,
    database_url_of,
    login,
    make_user,
    statement_kinds,
)
from signals import services
from signals.inserts import insert_signal
from signals.models import Signal

ALERT = {
    "passphrase": "webhook",
    "ticker": "NMFC-0.75*NASDAQ:ROIC",
    "order_action": "buy",
    "order_contracts": 603,
}


@pytest.fixture
def registry(db):
    TickerFactory(symbol="AAPL", active=True)
    TickerFactory(symbol="EURUSD", sectype="CASH")
    return PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def post(body):
    return V3Client().post("/v3/webhook", body, format="json")


CHANGES = {
    "a ticker added": lambda: TickerFactory(symbol="MSFT"),
    "a ticker removed": lambda: Ticker.objects.filter(symbol="AAPL").delete(),
    "a ticker deactivated": lambda: Ticker.objects.filter(symbol="AAPL").update(active=False),
    "a ticker's kind": lambda: Ticker.objects.filter(symbol="EURUSD").update(sectype="CRYPTO"),
    "a ticker renamed": lambda: Ticker.objects.filter(symbol="AAPL").update(symbol="AAPL2"),
    "a pair added": lambda: PairFactory(ticker1="A", ticker2="B", hedge=1),
    "a pair removed": lambda: Pair.objects.all().delete(),
    "a pair's hedge": lambda: Pair.objects.update(hedge=0.5),
    "a pair deactivated": lambda: instrument_services.update_pair(name="NMFC-ROIC", status=False),
    "a pair's leg": lambda: Pair.objects.update(ticker2="ROIC2"),
}
NOT_CHANGES = {
    "a position report": lambda: instrument_services.record_ticker_position(
        symbol="AAPL", active_pos=100, active_pnl=5, active_cost=9
    ),
    "a ticker's exchange": lambda: Ticker.objects.filter(symbol="AAPL").update(xch="ISLAND"),
    "a pair's notes": lambda: Pair.objects.update(notes="watch the spread"),
    "an update that changes nothing": lambda: Ticker.objects.filter(symbol="AAPL").update(
        active=True
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_that_decides_checks_gives_a_new_version(registry, change):
    before = current_version()
    CHANGES[change]()
    assert current_version() != before


@pytest.mark.parametrize("change", list(NOT_CHANGES))
def test_positions_and_descriptions_keep_the_version(registry, change):
    before = current_version()
    NOT_CHANGES[change]()
    assert current_version() == before


def _pair_signal():
    return Signal(ticker="NMFC-0.75*ROIC", order_action="buy", order_contracts=1)


def test_an_insert_checked_against_an_older_registry_is_refused(registry):
    snapshot = read_registry()
    instrument_services.update_pair(name="NMFC-ROIC", status=False)
    assert insert_signal(_pair_signal(), registry_version=snapshot.version) is False
    assert not Signal.objects.exists()
    assert insert_signal(_pair_signal(), registry_version=read_registry().version) is True
    assert Signal.objects.count() == 1


def test_a_version_seen_inside_a_rolled_back_change_never_comes_back(registry):
    with transaction.atomic():
        TickerFactory(symbol="TSLA", active=True)
        inside = read_registry()
        assert "TSLA" in inside.tickers
        transaction.set_rollback(True)
    assert current_version() != inside.version
    assert insert_signal(_pair_signal(), registry_version=inside.version) is False


def test_the_webhook_sees_a_change_made_by_another_process(registry):
    assert post(ALERT).json()["message"] == "'signal' created successfully."
    # What another worker's request would do: straight to the database, not through this
    # process's registry copy.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE instruments_pair SET status = %s", [False])
    response = post(ALERT)
    assert response.json()["message"] == "recorded with unknown or passive ticker!"
    newest = Signal.objects.first()
    assert (newest.order_status, newest.status_msg) == ("canceled", "passive ticker")


def test_a_registry_that_keeps_changing_is_read_from_the_database(registry, monkeypatch, settings):
    # The throttle's counter outside the database (Redis in production), so only the
    # signal's own statements are counted.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    refreshed_registry()
    stale = read_registry()
    Pair.objects.update(hedge=0.5)  # the alert's 0.75 is now the wrong hedge
    monkeypatch.setattr(services, "refreshed_registry", lambda: stale)
    monkeypatch.setattr(services, "cached_registry", lambda: stale)
    guard_rails = services.refreshed_risk()  # current: only the registry is stale here
    monkeypatch.setattr(services, "refreshed_risk", lambda: guard_rails)
    with CaptureQueriesContext(connection) as queries:
        response = post(ALERT)
    statements = statement_kinds(queries)
    # Three refused inserts against the stale copy, then the pair is looked up and stored.
    assert statements == ["INSERT", "INSERT", "INSERT", "SELECT", "INSERT"]
    assert response.status_code == 201
    signal = Signal.objects.get()
    assert (signal.order_status, signal.status_msg) == ("canceled", "wrong hedge")


def test_a_missing_version_row_is_recreated(registry):
    RegistryVersion.objects.all().delete()
    refreshed_registry()
    assert post(ALERT).status_code == 201
    assert RegistryVersion.objects.count() == 1
    assert Signal.objects.get().order_status == "waiting"


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_a_pair_deactivated_on_one_server_is_passive_on_another(registry):
    make_user("boss", staff=True)
    url = database_url_of(connection)
    with ServerProcess(url) as first, ServerProcess(url) as second:
        first_answer = requests.post(f"{first.url}/v3/webhook", json=ALERT, timeout=10)
        assert first_answer.json()["message"] == "'signal' created successfully."
        token = login(V3Client(), "boss")["access_token"]
        changed = requests.put(
            f"{second.url}/v3/regpair",
            json={"name": "NMFC-ROIC", "status": 0},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert changed.status_code == 200, changed.text
        again = requests.post(f"{first.url}/v3/webhook", json=ALERT, timeout=10)
    assert again.json()["message"] == "recorded with unknown or passive ticker!"
    assert [s.order_status for s in Signal.objects.order_by("rowid")] == ["waiting", "canceled"]


def test_an_sqlite_without_insert_returning_is_refused_at_startup(monkeypatch, settings):
    from signals import apps

    monkeypatch.setattr(apps.sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(apps, "connection", type("Fake", (), {"vendor": "sqlite"})())
    (error,) = apps.sqlite_can_return_rows()
    assert error.id == "signals.E001" and "3.35" in error.msg
    monkeypatch.setattr(apps.sqlite3, "sqlite_version_info", (3, 40, 1))
    assert apps.sqlite_can_return_rows() == []
