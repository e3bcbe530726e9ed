"""The OpenAPI description served at /v3/schema, and schemathesis fuzzing every v3 route of a
live server against it: no 5xx, and no answer that breaks the description."""

import pytest
import requests
import schemathesis
from django.db import connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import mint_login_tokens
from pairsapi.testing import ServerProcess, V3Client, database_url_of, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live_server_url(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        url = database_url_of(connection)
    # Generous limits: the fuzzer sends many requests from one address.
    env = {"PASSPHRASE_THROTTLE_RATE": "100000/min", "LOGIN_THROTTLE_RATE": "100000/min"}
    with ServerProcess(url, workers=2, env=env) as server:
        yield server.url


@pytest.fixture
def live_schema(live_server_url):
    return schemathesis.openapi.from_url(f"{live_server_url}/v3/schema")


# The signal stream answers an endless body that a fuzzer would read forever; its refusals and
# its events are tested in signals/tests/test_stream.py and test_stream_server.py.
schema = schemathesis.pytest.from_fixture("live_schema").exclude(path="/v3/signals/stream")


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_route_keeps_to_its_description(case, live_server_url):
    admin = make_user("fuzz-admin", staff=True) if not _admin_exists() else _admin()
    access, _ = mint_login_tokens(admin, 60)
    if isinstance(case.body, dict) and "passphrase" in case.body:
        # Mostly the right passphrase, so the fuzzer reaches the logic behind it.
        case.body["passphrase"] = "webhook"
    case.call_and_validate(
        base_url=live_server_url,
        headers={"Authorization": f"Bearer {access}"},
        checks=CHECKS,
    )


def _admin_exists():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="fuzz-admin").exists()


def _admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="fuzz-admin")


@pytest.mark.django_db
def test_schema_describes_every_v3_route():
    paths = V3Client().get("/v3/schema").json()["paths"]
    expected = {
        "/v3/login": {"post"},
        "/v3/refresh": {"post"},
        "/v3/logout": {"post"},
        "/v3/reguser": {"post", "put"},
        "/v3/users/{number_of_items}": {"get"},
        "/v3/user/{username}": {"get", "delete"},
        "/v3/regticker": {"post", "put"},
        "/v3/ticker/updatepnl": {"put"},
        "/v3/price": {"post"},
        "/v3/price/{ticker}": {"get"},
        "/v3/risk": {"get", "put"},
        "/v3/halt": {"post"},
        "/v3/resume": {"post"},
        "/v3/signal/{rowid}/release": {"post"},
        "/v3/signal/{rowid}/cancel": {"post"},
        "/v3/tickers/{number_of_items}": {"get"},
        "/v3/ticker/{symbol}": {"get", "delete"},
        "/v3/regpair": {"post", "put"},
        "/v3/pairs/{number_of_items}": {"get"},
        "/v3/pair/{name}": {"get", "delete"},
        "/v3/webhook": {"post", "put"},
        "/v3/signal/updateorder": {"put"},
        "/v3/signals/stream": {"get"},
        "/v3/signals/{number_of_items}": {"get"},
        "/v3/signals/ticker/{ticker}/{number_of_items}": {"get"},
        "/v3/signals/status/{order_status}/{number_of_items}": {"get"},
        "/v3/signal/{rowid}": {"get", "delete"},
        "/v3/regpnl": {"post", "put"},
        "/v3/pnl/{number_of_items}": {"get"},
    }
    assert {path: set(ops) for path, ops in paths.items()} == expected


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_swagger_ui_is_served_offline(live_server_url):
    page = requests.get(f"{live_server_url}/v3/docs", timeout=10)
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    assert "//cdn" not in page.text and "https://" not in page.text.split("<body")[0]
    bundle = requests.get(
        f"{live_server_url}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        timeout=10,
    )
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
