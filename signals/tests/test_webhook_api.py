import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.registry import refreshed_registry
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import V3Client, statement_kinds
from signals.models import Signal
from signals.tests.factories import alert

pytestmark = pytest.mark.django_db

ALERT = alert()


@pytest.fixture
def nmfc_roic():
    return PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def post(body, **kwargs):
    return V3Client().post("/v3/webhook", body, format="json", **kwargs)


def test_valid_pair_signal_is_stored_waiting(nmfc_roic):
    response = post(ALERT)
    assert response.status_code == 201
    assert response.json() == {"message": "'signal' created successfully."}
    signal = Signal.objects.get()
    assert (signal.ticker_type, signal.ticker1, signal.ticker2, signal.hedge_param) == (
        "pair",
        "NMFC",
        "ROIC",
        0.75,
    )
    assert signal.order_status == "waiting" and signal.status_msg is None
    assert signal.order_contracts == 603 and signal.order_price == 0.98
    assert signal.order_comment == "Enter Long"
    assert signal.timestamp.microsecond == 0


def test_seed_readme_single_with_numeric_strings():
    TickerFactory(symbol="AAPL", active=True)
    response = post(
        {
            "passphrase": "webhook",
            "ticker": "AAPL",
            "order_action": "buy",
            "order_contracts": "100",
            "order_price": "400.2",
            "mar_pos": "long",
            "mar_pos_size": "100",
            "pre_mar_pos": "flat",
            "pre_mar_pos_size": "0",
            "order_comment": " Enter Long",
            "order_status": "waiting",
        }
    )
    assert response.status_code == 201
    signal = Signal.objects.get()
    assert (signal.ticker_type, signal.ticker1, signal.ticker2, signal.hedge_param) == (
        "single",
        "AAPL",
        None,
        None,
    )
    assert signal.order_contracts == 100 and signal.order_price == 400.2
    assert signal.mar_pos_size == 100 and signal.pre_mar_pos_size == 0
    assert signal.order_comment == " Enter Long"


def test_tradingview_text_plain_alert_is_accepted(nmfc_roic):
    import json

    response = V3Client().send(
        "POST", "/v3/webhook", raw=json.dumps(ALERT), content_type="text/plain; charset=utf-8"
    )
    assert response.status_code == 201
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(
    "raw, content_type",
    [
        (b'{"ticker": "\xff\xfe"}', "application/json"),
        (b'{"ticker": "\xe9"}', "text/plain; charset=utf-8"),
        (b'{"order_price": NaN}', "application/json"),
        (b'{"order_price": Infinity}', "text/plain"),
    ],
)
def test_bodies_that_are_not_strict_utf8_json_are_400(raw, content_type, nmfc_roic):
    response = V3Client().send("POST", "/v3/webhook", raw=raw, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["message"].startswith("malformed request body: JSON parse error")
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    "setup, ticker, status, status_msg, message",
    [
        (None, "LNT*2-FTS", "error", "problematic ticker!", "recorded with problematic ticker!"),
        (None, "ZZZZ", "error", "unknown ticker", "recorded with unknown or passive ticker!"),
        (None, "AAA-BBB", "error", "unknown ticker", "recorded with unknown or passive ticker!"),
        (
            "passive single",
            "AAPL",
            "canceled",
            "passive ticker",
            "recorded with unknown or passive ticker!",
        ),
        (
            "passive pair",
            "NMFC-0.75*ROIC",
            "canceled",
            "passive ticker",
            "recorded with unknown or passive ticker!",
        ),
        (
            "active pair",
            "NMFC-0.7*ROIC",
            "canceled",
            "wrong hedge",
            "recorded with unknown or passive ticker!",
        ),
        (
            "active pair",
            "NMFC-ROIC",
            "canceled",
            "wrong hedge",
            "recorded with unknown or passive ticker!",
        ),
        ("active single", "NASDAQ:AAPL", "waiting", None, "'signal' created successfully."),
    ],
)
def test_check_table_over_http(setup, ticker, status, status_msg, message):
    if setup == "passive single":
        TickerFactory(symbol="AAPL")
    elif setup == "active single":
        TickerFactory(symbol="AAPL", active=True)
    elif setup in ("passive pair", "active pair"):
        PairFactory(
            ticker1="NMFC",
            ticker2="ROIC",
            hedge=0.75,
            status=setup == "active pair",
        )
    response = post({**ALERT, "ticker": ticker})
    assert response.status_code == 201
    assert response.json() == {"message": message}
    signal = Signal.objects.get()
    assert (signal.order_status, signal.status_msg) == (status, status_msg)
    assert signal.ticker == ticker


def test_problematic_signal_has_no_legs():
    post({**ALERT, "ticker": "LNT-FTS/3"})
    signal = Signal.objects.get()
    assert (signal.ticker_type, signal.ticker1, signal.ticker2) == (None, None, None)


def test_status_and_message_as_sent_when_checks_pass(nmfc_roic):
    post({**ALERT, "order_status": "rerouted", "status_msg": "from bot 2", "error_msg": "e"})
    signal = Signal.objects.get()
    assert (signal.order_status, signal.status_msg, signal.error_msg) == (
        "rerouted",
        "from bot 2",
        "e",
    )


def test_bypass_ticker_status_stores_as_sent():
    response = post({**ALERT, "ticker": "ZZZ", "bypass_ticker_status": True})
    assert response.json() == {"message": "'signal' created successfully."}
    signal = Signal.objects.get()
    assert (signal.order_status, signal.ticker1) == ("waiting", "ZZZ")


def test_class_share_maps_to_broker_symbol():
    TickerFactory(symbol="BF A", active=True)
    response = post({**ALERT, "ticker": "NYSE:BF.A"})
    assert response.json() == {"message": "'signal' created successfully."}
    assert Signal.objects.get().ticker1 == "BF A"


@pytest.mark.parametrize(
    "ticker, symbol, sectype",
    [
        ("EURUSD", "EUR.USD", "CASH"),
        ("FX:EURUSD", "EUR.USD", "CASH"),
        ("BTCUSD", "BTC.USD", "CRYPTO"),
        ("BINANCE:BTCUSDT", "BTC.USDT", "CRYPTO"),
    ],
)
def test_forex_and_crypto_without_separator_map_to_registered_ticker(ticker, symbol, sectype):
    TickerFactory(symbol=symbol, sectype=sectype, active=True)
    response = post({**ALERT, "ticker": ticker})
    assert response.json() == {"message": "'signal' created successfully."}
    assert Signal.objects.get().ticker1 == symbol


def test_separator_form_does_not_match_a_stock():
    TickerFactory(symbol="EUR.USD", sectype="STK", active=True)
    post({**ALERT, "ticker": "EURUSD"})
    signal = Signal.objects.get()
    assert (signal.order_status, signal.ticker1) == ("error", "EURUSD")


def test_exact_symbol_wins_over_mapped_forms():
    TickerFactory(symbol="BF.A", active=True)
    TickerFactory(symbol="BF A", active=False)
    post({**ALERT, "ticker": "BF.A"})
    assert Signal.objects.get().ticker1 == "BF.A"


def test_pair_legs_map_too():
    PairFactory(ticker1="BF A", ticker2="BF B", hedge=1, status=True)
    response = post({**ALERT, "ticker": "BF.A-BF.B"})
    assert response.json() == {"message": "'signal' created successfully."}
    signal = Signal.objects.get()
    assert (signal.ticker1, signal.ticker2) == ("BF A", "BF B")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"passphrase": "wrong"}, "passphrase"),
        ({"passphrase": None}, "passphrase"),
        ({"ticker": None}, "ticker"),
        ({"ticker": ""}, "ticker"),
        ({"ticker": "X" * 101}, "ticker"),
        ({"ticker": ["NMFC", "ROIC"]}, "ticker"),
        ({"ticker": []}, "ticker"),
        ({"order_action": "hold"}, "order_action"),
        ({"order_action": None}, "order_action"),
        ({"order_contracts": None}, "order_contracts"),
        ({"order_contracts": "ten"}, "order_contracts"),
        ({"order_contracts": 10.5}, "order_contracts"),
        ({"order_contracts": -1}, "order_contracts"),
        ({"order_contracts": 0}, "order_contracts"),
        ({"order_contracts": "0"}, "order_contracts"),
        ({"order_contracts": 10**30}, "order_contracts"),
        ({"order_contracts": True}, "order_contracts"),
        ({"order_price": "cheap"}, "order_price"),
        ({"order_price": "{{strategy.order.price}}"}, "order_price"),
        ({"mar_pos_size": "1.5"}, "mar_pos_size"),
        ({"mar_pos": "x" * 21}, "mar_pos"),
        ({"order_comment": "c" * 201}, "order_comment"),
        ({"order_status": "s" * 41}, "order_status"),
        ({"bypass_ticker_status": "perhaps"}, "bypass_ticker_status"),
    ],
)
def test_invalid_bodies_are_400_and_store_nothing(nmfc_roic, change, field):
    body = {**ALERT, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = post(body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert isinstance(message, dict) and field in message, message
    assert not Signal.objects.exists()


def test_wrong_passphrase_message():
    response = post({**ALERT, "passphrase": "nope"})
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}


def test_passphrase_with_a_lone_surrogate_is_just_incorrect():
    raw = '{"passphrase": "\\ud800", "ticker": "A", "order_action": "buy", "order_contracts": 1}'
    response = V3Client().send("POST", "/v3/webhook", raw=raw)
    assert response.status_code == 400
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}


def test_missing_required_field_message(nmfc_roic):
    body = dict(ALERT)
    del body["ticker"]
    assert post(body).json() == {"message": {"ticker": "'ticker' cannot be empty!"}}


@pytest.mark.parametrize("raw", ["{", "[]", "null", '"x"', "", "{'passphrase': 'webhook'}"])
def test_malformed_bodies_are_400_and_store_nothing(raw):
    response = V3Client().send("POST", "/v3/webhook", raw=raw)
    assert response.status_code == 400
    assert "message" in response.json()
    assert not Signal.objects.exists()


def test_unknown_keys_are_ignored(nmfc_roic):
    response = post({**ALERT, "strategy": "x", "rowid": 999, "ticker1": "EVIL"})
    assert response.status_code == 201
    signal = Signal.objects.get()
    assert signal.ticker1 == "NMFC" and signal.rowid != 999


@pytest.mark.parametrize(
    "ticker, setup",
    [("AAPL", "ticker"), ("NMFC-0.75*ROIC", "pair"), ("A-B-C", None)],
)
def test_webhook_costs_one_insert_once_the_registry_is_read(ticker, setup, settings):
    # With the throttle's counter in Redis (REDIS_URL, as production should run), the database
    # sees only the signal's own work; an in-process cache stands in for Redis here.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    refreshed_registry()  # this worker's copy, read before the changes below
    if setup == "ticker":
        TickerFactory(symbol="AAPL", active=True)
    elif setup == "pair":
        PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    client = V3Client()
    with CaptureQueriesContext(connection) as queries:
        first = client.post("/v3/webhook", {**ALERT, "ticker": ticker}, format="json")
    # When this worker's registry copy is older than a change, the guarded INSERT is refused, the
    # registry is read (its version, the tickers, the pairs), the guard rails too (their row,
    # the limits) and the INSERT retried.
    stale = ["INSERT", "SELECT", "SELECT", "SELECT", "SELECT", "SELECT", "INSERT"]
    assert statement_kinds(queries) == (stale if setup else ["INSERT"]), queries.captured_queries
    with CaptureQueriesContext(connection) as queries:
        second = client.post("/v3/webhook", {**ALERT, "ticker": ticker}, format="json")
    assert statement_kinds(queries) == ["INSERT"], queries.captured_queries
    assert [first.json(), second.json()] == [second.json()] * 2
    assert first.status_code == second.status_code == 201
    expected = "waiting" if setup else "error"
    assert [s.order_status for s in Signal.objects.all()] == [expected, expected]


def test_anonymous_and_token_callers_are_treated_alike(nmfc_roic):
    response = post(ALERT, HTTP_AUTHORIZATION="Bearer garbage")
    assert response.status_code == 201
