"""The registry every alert is checked against is kept small: writes are throttled per user
and it holds at most so many tickers and pairs, each refused in words past its limit."""

import pytest

from instruments.models import Ticker
from instruments.tests.factories import PairFactory, TickerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_registry_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registry": "3/min",
        },
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def register(client, symbol):
    return client.post("/v3/regticker", {"symbol": symbol}, format="json")


def test_one_user_registers_only_so_many_a_minute(tight_registry_rate, trader_api, admin_api):
    assert [register(trader_api, f"T{n}").status_code for n in range(4)] == [201, 201, 201, 429]
    assert register(admin_api, "OTHER").status_code == 201  # another user: a limit of its own
    assert Ticker.objects.count() == 4


def test_a_full_registry_refuses_another_ticker_or_pair_in_words(settings, trader_api):
    settings.REGISTRY_MAX_TICKERS, settings.REGISTRY_MAX_PAIRS = 3, 1
    TickerFactory.create_batch(3)
    refused = register(trader_api, "MORE")
    assert refused.status_code == 400
    assert "the registry holds its most tickers (3)" in refused.json()["message"]
    assert "REGISTRY_MAX_TICKERS" in refused.json()["message"]
    PairFactory()
    pair = trader_api.post(
        "/v3/regpair", {"ticker1": "A", "ticker2": "B", "hedge": 1}, format="json"
    )
    assert pair.status_code == 400
    assert "its most pairs (1)" in pair.json()["message"]
