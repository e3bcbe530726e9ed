"""The API description says who may call each route (``x-v3-auth``, derived from the
permission classes); every route of the schema is called as each kind of caller, and the answers
must match what it says."""

import re

import pytest

from instruments.models import Pair, Ticker
from pairsapi.testing import V3Client, close_stream, login, v3_path, v3_routes
from signals.tests.factories import make_single

pytestmark = pytest.mark.django_db

OPERATIONS = [
    (route, method)
    for route, methods in v3_routes()
    if route not in ("schema", "docs")
    for method in methods
]


def _schema_path(route):
    return "/v3/" + re.sub(r"<str:(\w+)>", r"{\1}", route)


@pytest.fixture
def callers(staff, trader):
    def client(username, kind):
        tokens = login(V3Client(), username)
        if kind == "refreshed":
            refreshed = V3Client().with_token(tokens["refresh_token"]).post("/v3/refresh")
            return V3Client().with_token(refreshed.json()["access_token"])
        return V3Client().with_token(tokens[kind])

    return {
        "anonymous": V3Client(),
        "trader": client("trader", "access_token"),
        "trader, refreshed": client("trader", "refreshed"),
        "trader's refresh token": client("trader", "refresh_token"),
        "admin": client("boss", "access_token"),
    }


def _call(client, route, method, body, **headers):
    signal = make_single()
    Ticker.objects.get_or_create(symbol="AAPL")
    Pair.objects.get_or_create(name="A-B", ticker1="A", ticker2="B", hedge=1)
    path = v3_path(route, rowid=signal.rowid, username="trader")
    response = client.generic(
        method.upper(), path, body, content_type="application/json", **headers
    )
    close_stream(response)
    return response


def _token_error(response):
    return response.status_code == 401 and response.json().get("error")


@pytest.mark.parametrize("route, method", OPERATIONS)
def test_documented_auth_matches_what_each_caller_gets(route, method, callers):
    operation = V3Client().get("/v3/schema").json()["paths"][_schema_path(route)][method]
    documented = operation["x-v3-auth"]

    def call(who, body="{}", **headers):
        return _call(callers[who], route, method, body, **headers)

    if documented == "none":
        assert call("anonymous").status_code not in (401, 403)
        assert operation.get("security", []) == []
    elif documented == "optional":
        assert call("anonymous").status_code == 200
        assert call("trader, refreshed").status_code == 200
    elif documented == "passphrase":
        missing = call("anonymous")
        assert missing.status_code == 400
        assert "passphrase" in missing.json()["message"]
        wrong = call("anonymous", '{"passphrase": "guess"}')
        assert wrong.json() == {"message": {"passphrase": "incorrect passphrase."}}
    elif documented == "token":
        assert _token_error(call("anonymous")) == "authorization_required"
        assert call("trader, refreshed").status_code not in (401, 403)
    elif documented == "fresh":
        assert _token_error(call("anonymous")) == "authorization_required"
        assert _token_error(call("trader, refreshed")) == "fresh_token_required"
        assert call("trader").status_code not in (401, 403)
    elif documented == "admin":
        assert _token_error(call("anonymous")) == "authorization_required"
        assert _token_error(call("trader, refreshed")) == "fresh_token_required"
        assert call("trader").status_code == 403
        assert call("admin").status_code not in (401, 403)
    elif documented == "token or passphrase header":
        assert _token_error(call("anonymous")) == "authorization_required"
        assert call("trader, refreshed").status_code == 200
        assert call("anonymous", HTTP_X_PASSPHRASE="webhook").status_code == 200
        assert _token_error(call("anonymous", HTTP_X_PASSPHRASE="guess")) == "passphrase_invalid"
    elif documented == "refresh":
        assert _token_error(call("anonymous")) == "authorization_required"
        assert _token_error(call("trader")) == "token_invalid"
        assert call("trader's refresh token").status_code == 200
    else:
        pytest.fail(f"undocumented access kind {documented!r}")
    if documented != "none":
        assert operation["description"], "the description says who may call it"


def test_every_route_is_walked():
    assert len(OPERATIONS) == 39  # POST and GET price, then the risk routes, joined v3's 31
