"""What real clients send that the route tables do not show: trailing slashes, mistyped paths,
JSON under any label, values wrapped in one-element lists. Each must reach the route as the
client meant it, or get a JSON 4xx naming the problem."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from instruments.models import Pair, PriceTick, Ticker
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import V3Client, v3_path, v3_routes
from pnl.models import AccountSnapshot
from signals.models import Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db

ALERT = {
    "passphrase": "webhook",
    "ticker": "NASDAQ:AAPL",
    "order_action": "buy",
    "order_contracts": 100,
    "order_price": 400.2,
}


V3_PATHS = [v3_path(route) for route, _ in v3_routes()]


def test_the_route_walk_sees_every_route():
    assert len(V3_PATHS) == 31  # with the price and risk routes
    assert {"/v3/webhook", "/v3/signals/status/waiting/0", "/v3/regpnl"} <= set(V3_PATHS)


def _is_json(response):
    return response["Content-Type"].split(";")[0].endswith("json")


@pytest.mark.parametrize("path", V3_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_every_route_answers_the_same_with_a_trailing_slash(path, method):
    # Anonymous and without a passphrase, so neither call changes anything for the other.
    TickerFactory(symbol="AAPL")
    plain = Client().generic(method, path, "{}", content_type="application/json")
    slashed = Client(enforce_csrf_checks=True).generic(
        method, f"{path}/", "{}", content_type="application/json"
    )
    assert slashed.status_code == plain.status_code
    if path != "/v3/docs":
        assert _is_json(slashed)
        assert slashed.json() == plain.json()


def test_an_alert_posted_to_the_webhook_url_with_a_slash_is_stored():
    # An alert carries no CSRF token: the check is enforced as a client without a browser meets it.
    client = Client(enforce_csrf_checks=True)
    response = client.post("/v3/webhook/", json.dumps(ALERT), content_type="text/plain")
    assert response.status_code == 201
    assert Signal.objects.get().ticker1 == "AAPL"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize(
    "path", ["/v3/webhooks", "/v3/webhook/extra", "/v3/", "/v3", "/v3/signal/1/2", "/v3//"]
)
def test_any_method_on_an_unknown_v3_path_is_the_json_404(method, path):
    response = Client(enforce_csrf_checks=True).generic(method, path, '{"passphrase": "webhook"}')
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"] == "no such route"


def test_no_html_under_v3_for_any_method_on_any_route():
    client = Client(enforce_csrf_checks=True)
    for path in [*V3_PATHS, *(f"{p}/" for p in V3_PATHS)]:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            if path.startswith("/v3/docs") and method in ("GET", "HEAD"):
                continue  # Swagger UI is a page on purpose
            response = client.generic(method, path, "{")
            assert "html" not in response.get("Content-Type", ""), (method, path)
            assert method == "HEAD" or _is_json(response), (method, path)
            assert 200 <= response.status_code < 500, (method, path)


@pytest.mark.parametrize(
    "content_type",
    [
        "",  # no Content-Type header at all (the test client cannot leave the key out)
        "application/x-www-form-urlencoded",  # curl -d's default
        "text/plain",  # TradingView's
        "application/json",
        "application/json; charset=utf-8",
    ],
)
def test_a_json_alert_is_read_as_json_whatever_its_label(content_type):
    response = Client().generic(
        "POST", "/v3/webhook", "  " + json.dumps(ALERT), content_type=content_type
    )
    assert response.status_code == 201, response.content
    assert Signal.objects.get().order_contracts == 100


def test_a_real_form_body_is_still_read_as_a_form(trader):
    response = Client().post("/v3/login", {"username": "trader", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid Credentials!"}


def test_an_unlabelled_body_that_is_not_json_is_a_400_naming_the_problem():
    response = Client().generic("POST", "/v3/webhook", "passphrase=webhook", content_type="")
    assert response.status_code == 400
    assert response.json()["message"].startswith("malformed request body")
    assert not Signal.objects.exists()


def test_a_body_labelled_with_a_type_nobody_reads_is_415():
    response = Client().generic(
        "POST", "/v3/webhook", json.dumps(ALERT), content_type="application/xml"
    )
    assert response.status_code == 415
    assert "application/xml" in response.json()["message"]
    assert not Signal.objects.exists()


def _listed(body):
    return {key: [value] for key, value in body.items()}


def _active_pair():
    return PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def _signal_with_orders():
    return make_single(order_id1=11, order_status="created")


# Each write route: (setup, method, path, body, client kind, expected status, stored check).
WRITE_ROUTES = {
    "webhook POST": (
        lambda: None,
        "post",
        "/v3/webhook",
        lambda: ALERT,
        "anonymous",
        201,
        lambda: Signal.objects.get().order_price == 400.2,
    ),
    "webhook PUT": (
        lambda: (_active_pair(), make_signal()),
        "put",
        "/v3/webhook",
        lambda: {
            "passphrase": "webhook",
            "rowid": Signal.objects.get().rowid,
            "order_status": "canceled",
            "status_msg": "insufficient funds",
            "order_id1": 7,
        },
        "anonymous",
        200,
        lambda: Signal.objects.filter(order_status="canceled", order_id1=7).exists(),
    ),
    "updateorder": (
        _signal_with_orders,
        "put",
        "/v3/signal/updateorder",
        lambda: {
            "passphrase": "webhook",
            "order_id": 11,
            "symbol": "AAPL",
            "price": 400,
            "filled_qty": 100,
        },
        "anonymous",
        200,
        lambda: Signal.objects.get().order_status == "filled",
    ),
    "updatepnl": (
        lambda: TickerFactory(symbol="AAPL"),
        "put",
        "/v3/ticker/updatepnl",
        lambda: {"passphrase": "webhook", "symbol": "AAPL", "active_pos": 5},
        "anonymous",
        200,
        lambda: Ticker.objects.get().active_pos == 5,
    ),
    "price": (
        lambda: TickerFactory(symbol="AAPL"),
        "post",
        "/v3/price",
        lambda: {"passphrase": "webhook", "ticker": "NASDAQ:AAPL", "price": 190.5},
        "anonymous",
        201,
        lambda: PriceTick.objects.get().price == 190.5,
    ),
    "regpnl POST": (
        lambda: None,
        "post",
        "/v3/regpnl",
        lambda: {"passphrase": "webhook", "NetLiquidation": 62588},
        "anonymous",
        201,
        lambda: AccountSnapshot.objects.get().net_liquidation == 62588,
    ),
    "regpnl PUT": (
        lambda: AccountSnapshot.objects.create(),
        "put",
        "/v3/regpnl",
        lambda: {
            "passphrase": "webhook",
            "rowid": AccountSnapshot.objects.get().rowid,
            "DailyPnL": 12,
        },
        "anonymous",
        200,
        lambda: AccountSnapshot.objects.get().daily_pnl == 12,
    ),
    "regticker POST": (
        lambda: None,
        "post",
        "/v3/regticker",
        lambda: {"symbol": "EUR.USD", "sectype": "CASH", "active": 1},
        "trader",
        201,
        lambda: Ticker.objects.get().active,
    ),
    "regticker PUT": (
        lambda: TickerFactory(symbol="AAPL"),
        "put",
        "/v3/regticker",
        lambda: {"symbol": "AAPL", "currency": "CAD"},
        "trader",
        200,
        lambda: Ticker.objects.get().currency == "CAD",
    ),
    "regpair POST": (
        lambda: None,
        "post",
        "/v3/regpair",
        lambda: {"ticker1": "NMFC", "ticker2": "ROIC", "hedge": 0.75},
        "trader",
        201,
        lambda: Pair.objects.get().hedge == 0.75,
    ),
    "regpair PUT": (
        lambda: PairFactory(ticker1="A", ticker2="B", hedge=1),
        "put",
        "/v3/regpair",
        lambda: {"name": "A-B", "hedge": 2, "notes": "spread"},
        "trader",
        200,
        lambda: Pair.objects.get().notes == "spread",
    ),
    "reguser POST": (
        lambda: None,
        "post",
        "/v3/reguser",
        lambda: {"username": "carol", "password": "long-enough-pass-9"},
        "admin",
        201,
        lambda: get_user_model().objects.filter(username="carol").exists(),
    ),
    "login": (
        lambda: None,
        "post",
        "/v3/login",
        lambda: {"username": "trader", "password": "s3cret-pass", "expire": 5},
        "anonymous",
        200,
        lambda: True,
    ),
}


@pytest.mark.parametrize("route", WRITE_ROUTES)
def test_every_scalar_of_every_write_route_takes_a_one_element_list(route, trader_api, admin_api):
    setup, method, path, body, kind, status, stored = WRITE_ROUTES[route]
    setup()
    client = {"anonymous": V3Client(), "trader": trader_api, "admin": admin_api}[kind]
    response = getattr(client, method)(path, _listed(body()), format="json")
    assert response.status_code == status, response.content
    assert stored()


@pytest.mark.parametrize("bad", [[], ["canceled", "filled"], [["canceled"]]])
def test_a_list_that_is_not_one_scalar_is_still_a_400_and_changes_nothing(bad):
    signal = make_signal()
    response = V3Client().put(
        "/v3/webhook",
        {"passphrase": "webhook", "rowid": signal.rowid, "order_status": bad, "order_id1": 7},
        format="json",
    )
    assert response.status_code == 400
    assert "order_status" in response.json()["message"]
    signal.refresh_from_db()
    assert (signal.order_status, signal.order_id1) == ("waiting", None)
