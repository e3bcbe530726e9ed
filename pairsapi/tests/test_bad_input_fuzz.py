"""Random bodies on every write route, with and without the right passphrase and an admin's
fresh token: whatever arrives, the answer is JSON and never a 5xx."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

KEYS = [
    "passphrase",
    "ticker",
    "order_action",
    "order_contracts",
    "order_price",
    "rowid",
    "timestamp",
    "symbol",
    "price",
    "filled_qty",
    "cancel",
    "order_id",
    "active",
    "hedge",
    "status",
    "name",
    "ticker1",
    "ticker2",
    "username",
    "password",
    "expire",
    "update_pnl",
    "bypass_ticker_status",
    "NetLiquidation",
    "active_pos",
    "sectype",
    "notes",
    "order_id1",
    "price1",
    "filled_qty1",
    "mar_pos_size",
]
PLAUSIBLE = [
    "webhook",
    "NMFC-0.75*ROIC",
    "buy",
    "sell",
    "1",
    "0",
    "-1",
    "1e308",
    "2024-01-01 00:00:00",
    "AAPL",
    "\u0000",
    "\ud800",
]
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=50)
    | st.sampled_from(PLAUSIBLE),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
ROUTES = [
    ("POST", "/v3/webhook"),
    ("PUT", "/v3/webhook"),
    ("PUT", "/v3/signal/updateorder"),
    ("PUT", "/v3/ticker/updatepnl"),
    ("POST", "/v3/price"),
    ("POST", "/v3/regpnl"),
    ("PUT", "/v3/regpnl"),
    ("POST", "/v3/login"),
    ("POST", "/v3/regticker"),
    ("PUT", "/v3/regticker"),
    ("POST", "/v3/regpair"),
    ("PUT", "/v3/regpair"),
    ("POST", "/v3/reguser"),
    ("PUT", "/v3/reguser"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(ROUTES),
    body=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=12),
    right_passphrase=st.booleans(),
)
def test_random_bodies_never_cause_a_server_error(route, body, right_passphrase, admin_api):
    if right_passphrase:
        body["passphrase"] = "webhook"
    admin_api.raise_request_exception = False
    method, path = route
    response = admin_api.generic(method, path, json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (route, body, response.content)
    assert response["Content-Type"] == "application/json"
    if response.status_code >= 400:
        assert "message" in response.json()
