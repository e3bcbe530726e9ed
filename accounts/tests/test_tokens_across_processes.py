"""Tokens and logouts seen by separate server processes, over HTTP."""

import pytest
import requests
from django.db import connection

from pairsapi.testing import PASSWORD, ServerProcess, database_url_of, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


@pytest.fixture
def two_servers():
    make_user("trader")
    url = database_url_of(connection)
    with ServerProcess(url) as first, ServerProcess(url) as second:
        yield first, second


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_from_one_process_works_on_another_and_logout_holds_everywhere(two_servers):
    first, second = two_servers
    tokens = requests.post(
        f"{first.url}/v3/login", json={"username": "trader", "password": PASSWORD}, timeout=10
    ).json()
    created = requests.post(
        f"{second.url}/v3/regticker",
        json={"symbol": "AAPL"},
        headers=bearer(tokens["access_token"]),
        timeout=10,
    )
    assert created.status_code == 201

    refreshed = requests.post(
        f"{second.url}/v3/refresh", headers=bearer(tokens["refresh_token"]), timeout=10
    )
    assert refreshed.status_code == 200

    logout = requests.post(
        f"{first.url}/v3/logout", headers=bearer(tokens["access_token"]), timeout=10
    )
    assert logout.status_code == 200
    refused = requests.put(
        f"{second.url}/v3/regticker",
        json={"symbol": "AAPL"},
        headers=bearer(tokens["access_token"]),
        timeout=10,
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "token_revoked"
    refused = requests.post(
        f"{second.url}/v3/refresh", headers=bearer(tokens["refresh_token"]), timeout=10
    )
    assert refused.json()["error"] == "token_revoked"

    # A restarted process still honours the token's revocation.
    second.stop()
    second.start()
    refused = requests.post(
        f"{second.url}/v3/logout", headers=bearer(tokens["access_token"]), timeout=10
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "token_revoked"


def test_token_survives_a_restart_of_the_process_that_minted_it(two_servers):
    first, _ = two_servers
    tokens = requests.post(
        f"{first.url}/v3/login", json={"username": "trader", "password": PASSWORD}, timeout=10
    ).json()
    first.stop()
    first.start()
    response = requests.post(
        f"{first.url}/v3/regticker",
        json={"symbol": "MSFT"},
        headers=bearer(tokens["access_token"]),
        timeout=10,
    )
    assert response.status_code == 201
