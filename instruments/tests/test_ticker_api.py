import pytest

from instruments.models import Pair, Ticker
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import V3Client

pytestmark = pytest.mark.django_db

TICKER_KEYS = [
    "symbol",
    "sectype",
    "xch",
    "prixch",
    "currency",
    "order_type",
    "active",
    "active_pos",
    "active_pnl",
    "active_cost",
]


def test_regticker_post_creates_with_defaults(trader_api):
    response = trader_api.post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"message": "'ticker' created successfully."}
    body = V3Client().get("/v3/ticker/AAPL").json()
    assert list(body) == TICKER_KEYS
    assert body == {
        "symbol": "AAPL",
        "sectype": "STK",
        "xch": "SMART",
        "prixch": "NYSE",
        "currency": "USD",
        "order_type": "RELATIVE",
        "active": 0,
        "active_pos": 0,
        "active_pnl": 0,
        "active_cost": 0,
    }


def test_regticker_post_accepts_numeric_strings_and_all_fields(trader_api):
    response = trader_api.post(
        "/v3/regticker",
        {
            "symbol": "EUR.USD",
            "sectype": "CASH",
            "xch": "IDEALPRO",
            "prixch": "IDEALPRO",
            "currency": "USD",
            "order_type": "MIDPRICE",
            "active": "1",
        },
        format="json",
    )
    assert response.status_code == 201
    body = V3Client().get("/v3/ticker/EUR.USD").json()
    assert body["sectype"] == "CASH" and body["active"] == 1 and body["xch"] == "IDEALPRO"


def test_regticker_post_ignores_position_fields_without_update_pnl(trader_api):
    trader_api.post("/v3/regticker", {"symbol": "A", "active_pos": 5}, format="json")
    trader_api.post(
        "/v3/regticker", {"symbol": "B", "active_pos": 5, "update_pnl": True}, format="json"
    )
    assert Ticker.objects.get(symbol="A").active_pos == 0
    assert Ticker.objects.get(symbol="B").active_pos == 5


def test_regticker_post_duplicate_is_400(trader_api):
    trader_api.post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    response = trader_api.post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "'ticker' with that name already exists."}
    assert Ticker.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "symbol"),
        ({"symbol": ""}, "symbol"),
        ({"symbol": "   "}, "symbol"),
        ({"symbol": None}, "symbol"),
        ({"symbol": "X" * 41}, "symbol"),
        ({"symbol": "A/B"}, "symbol"),
        ({"symbol": {"a": 1}}, "symbol"),
        ({"symbol": "A", "sectype": "FUT"}, "sectype"),
        ({"symbol": "A", "active": 2}, "active"),
        ({"symbol": "A", "active": "yes please"}, "active"),
        ({"symbol": "A", "xch": "X" * 21}, "xch"),
        ({"symbol": "A", "currency": ["USD", "EUR"]}, "currency"),
        ({"symbol": "A", "active_pos": "lots", "update_pnl": True}, "active_pos"),
        ({"symbol": "A", "active_pnl": "1e400", "update_pnl": True}, "active_pnl"),
        ({"symbol": "A", "active_pnl": 1e16, "update_pnl": True}, "active_pnl"),
        ({"symbol": "A", "update_pnl": "maybe"}, "update_pnl"),
    ],
)
def test_regticker_bad_bodies_are_400_naming_the_field(trader_api, body, field):
    for method in ("post", "put"):
        response = getattr(trader_api, method)("/v3/regticker", body, format="json")
        assert response.status_code == 400, response.content
        message = response.json()["message"]
        assert isinstance(message, dict) and field in message, message
    assert Ticker.objects.count() == 0


def test_regticker_out_of_range_json_number_is_400(trader_api):
    raw = '{"symbol": "A", "update_pnl": true, "active_cost": 1e400}'
    response = trader_api.send("POST", "/v3/regticker", raw=raw)
    assert response.status_code == 400
    assert "active_cost" in response.json()["message"]


def test_regticker_needs_a_fresh_token(trader):
    response = V3Client().post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "authorization_required"
    assert not Ticker.objects.exists()


def test_regticker_put_updates_existing_and_answers_json(trader_api):
    trader_api.post("/v3/regticker", {"symbol": "CCC", "prixch": "NASDAQ"}, format="json")
    response = trader_api.put(
        "/v3/regticker", {"symbol": "CCC", "order_type": "LIMIT", "active": 1}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == TICKER_KEYS
    assert body["order_type"] == "LIMIT" and body["active"] == 1
    assert body["prixch"] == "NASDAQ"  # absent keys keep their values


def test_regticker_put_new_symbol_creates(trader_api):
    response = trader_api.put("/v3/regticker", {"symbol": "NEW"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"message": "'ticker' created successfully."}


def test_regticker_put_changes_positions_only_with_update_pnl(trader_api):
    trader_api.post("/v3/regticker", {"symbol": "CCC"}, format="json")
    body = trader_api.put(
        "/v3/regticker", {"symbol": "CCC", "active_pos": 10, "active_pnl": 2.5}, format="json"
    ).json()
    assert body["active_pos"] == 0 and body["active_pnl"] == 0
    body = trader_api.put(
        "/v3/regticker",
        {
            "symbol": "CCC",
            "active_pos": "10",
            "active_pnl": -2.5,
            "active_cost": 99.5,
            "update_pnl": True,
        },
        format="json",
    ).json()
    assert (body["active_pos"], body["active_pnl"], body["active_cost"]) == (10, -2.5, 99.5)


def test_ticker_cannot_be_activated_while_leg_of_an_active_pair(trader_api):
    PairFactory(ticker1="AAA", ticker2="BBB", hedge=1, status=True)
    response = trader_api.post("/v3/regticker", {"symbol": "BBB", "active": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": " ticker is already active in a pair!"}
    assert not Ticker.objects.exists()
    trader_api.post("/v3/regticker", {"symbol": "AAA"}, format="json")
    response = trader_api.put("/v3/regticker", {"symbol": "AAA", "active": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": " ticker is already active in a pair!"}
    assert Ticker.objects.get(symbol="AAA").active is False
    # A passive pair does not block it.
    Pair.objects.update(status=False)
    response = trader_api.put("/v3/regticker", {"symbol": "AAA", "active": 1}, format="json")
    assert response.status_code == 200


def test_tickers_list_newest_first_with_number_of_items():
    for symbol in ("A", "B", "C"):
        TickerFactory(symbol=symbol)
    client = V3Client()
    assert [t["symbol"] for t in client.get("/v3/tickers/0").json()["tickers"]] == ["C", "B", "A"]
    assert [t["symbol"] for t in client.get("/v3/tickers/2").json()["tickers"]] == ["C", "B"]
    assert [t["symbol"] for t in client.get("/v3/tickers/99").json()["tickers"]] == ["C", "B", "A"]


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "1e3", " 1", "9" * 40])
def test_number_of_items_other_than_zero_or_positive_is_400(bad):
    response = V3Client().get(f"/v3/tickers/{bad}")
    assert response.status_code == 400
    assert "number_of_items" in response.json()["message"]


def test_ticker_get_unknown_is_404():
    response = V3Client().get("/v3/ticker/NOPE")
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}


def test_ticker_symbols_with_spaces_and_dots_work_in_paths(admin_api):
    TickerFactory(symbol="BF A")
    TickerFactory(symbol="EUR.USD", sectype="CASH")
    assert V3Client().get("/v3/ticker/BF%20A").json()["symbol"] == "BF A"
    assert V3Client().get("/v3/ticker/EUR.USD").json()["symbol"] == "EUR.USD"
    assert admin_api.delete("/v3/ticker/BF%20A").status_code == 200


def test_ticker_delete_needs_admin_and_404s_when_missing(admin_api, trader_api):
    TickerFactory(symbol="CCC")
    response = trader_api.delete("/v3/ticker/CCC")
    assert response.status_code == 403
    assert response.json() == {"message": "'admin' privilege required."}
    response = admin_api.delete("/v3/ticker/CCC")
    assert response.status_code == 200
    assert response.json() == {"message": "'ticker' deleted successfully."}
    assert not Ticker.objects.exists()
    response = admin_api.delete("/v3/ticker/CCC")
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}


def test_updatepnl_with_passphrase_records_positions():
    TickerFactory(symbol="ACC")
    response = V3Client().put(
        "/v3/ticker/updatepnl",
        {
            "passphrase": "webhook",
            "symbol": "ACC",
            "active_pos": 12,
            "active_pnl": "100.5",
            "active_cost": 106,
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == TICKER_KEYS
    assert (body["active_pos"], body["active_pnl"], body["active_cost"]) == (12, 100.5, 106)


def test_updatepnl_rejects_wrong_passphrase_unknown_symbol_and_bad_numbers():
    TickerFactory(symbol="ACC")
    client = V3Client()
    good = {
        "passphrase": "webhook",
        "symbol": "ACC",
        "active_pos": 1,
        "active_pnl": 1,
        "active_cost": 1,
    }
    response = client.put("/v3/ticker/updatepnl", {**good, "passphrase": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}
    response = client.put("/v3/ticker/updatepnl", {**good, "passphrase": 123}, format="json")
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}
    body = dict(good)
    del body["passphrase"]
    response = client.put("/v3/ticker/updatepnl", body, format="json")
    assert response.json() == {"message": {"passphrase": "'passphrase' cannot be empty!"}}
    response = client.put("/v3/ticker/updatepnl", {**good, "symbol": "ZZZ"}, format="json")
    assert response.status_code == 404
    response = client.put("/v3/ticker/updatepnl", {**good, "active_pnl": "x"}, format="json")
    assert response.status_code == 400
    assert "active_pnl" in response.json()["message"]
    assert Ticker.objects.get(symbol="ACC").active_pos == 0


def test_updatepnl_honours_the_configured_passphrase(settings):
    settings.WEBHOOK_PASSPHRASE = "s3cret"
    TickerFactory(symbol="ACC")
    body = {"symbol": "ACC", "active_pos": 1, "active_pnl": 1, "active_cost": 1}
    client = V3Client()
    assert (
        client.put(
            "/v3/ticker/updatepnl", {**body, "passphrase": "webhook"}, format="json"
        ).status_code
        == 400
    )
    assert (
        client.put(
            "/v3/ticker/updatepnl", {**body, "passphrase": "s3cret"}, format="json"
        ).status_code
        == 200
    )
