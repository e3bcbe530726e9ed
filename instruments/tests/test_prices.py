"""POST /v3/price and the watchlist's arithmetic."""

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instruments import services
from instruments.models import PriceTick
from instruments.tests.factories import PairFactory, TickerFactory
from instruments.watch import distance_from_average, spread_stats
from pairsapi.testing import V3Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    TickerFactory(symbol="AAPL", active=True)
    TickerFactory(symbol="BF A")
    TickerFactory(symbol="EUR.USD", sectype="CASH")
    PairFactory(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def post(body):
    return V3Client().post("/v3/price", {"passphrase": "webhook", **body}, format="json")


@pytest.mark.parametrize(
    ("ticker", "instrument"),
    [
        ("AAPL", "AAPL"),
        ("NASDAQ:AAPL", "AAPL"),
        ("BF.A", "BF A"),
        ("FX:EURUSD", "EUR.USD"),
        ("NMFC-0.75*NASDAQ:ROIC", "NMFC-ROIC"),
        ("NMFC-ROIC*0.75", "NMFC-ROIC"),
        ("NMFC-ROIC", "NMFC-ROIC"),  # the pair's name: its registered hedge
    ],
)
def test_a_price_is_kept_under_the_instrument_the_expression_names(registry, ticker, instrument):
    response = post({"ticker": ticker, "price": 1.25, "time": "2026-11-25T14:30:00Z"})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "instrument": instrument,
        "price": 1.25,
        "time": "2026-11-25 14:30:00",
    }
    tick = PriceTick.objects.get()
    assert (tick.instrument, tick.at) == (instrument, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))


def test_a_price_without_a_time_is_stamped_now_and_a_spread_may_be_negative(registry):
    response = post({"ticker": "NMFC-0.75*ROIC", "price": -0.42})
    assert response.status_code == 201
    assert PriceTick.objects.get().price == -0.42


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"ticker": "MSFT", "price": 1}, 404, "no ticker 'MSFT' is registered."),
        ({"ticker": "LNT-FTS", "price": 1}, 404, "no pair 'LNT-FTS' is registered."),
        (
            {"ticker": "NMFC-0.5*ROIC", "price": 1},
            400,
            "the spread's hedge 0.5 is not the pair's 0.75.",
        ),
        (
            {"ticker": "LNT*2-FTS", "price": 1},
            400,
            "'LNT*2-FTS' is not a ticker or pair expression such as AAPL or NMFC-0.75*ROIC.",
        ),
    ],
)
def test_prices_of_what_is_not_registered_or_not_readable_are_refused(
    registry, body, status, message
):
    response = post(body)
    assert response.status_code == status
    assert response.json() == {"message": message}
    assert not PriceTick.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": 1}, "ticker"),
        ({"ticker": "AAPL"}, "price"),
        ({"ticker": "AAPL", "price": "cheap"}, "price"),
        ({"ticker": "AAPL", "price": "NaN"}, "price"),
        ({"ticker": "AAPL", "price": 1, "time": "yesterday"}, "time"),
        ({"ticker": "A" * 101, "price": 1}, "ticker"),
    ],
)
def test_bad_bodies_are_400s_naming_the_field(registry, body, field):
    response = post(body)
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert not PriceTick.objects.exists()


def test_a_wrong_passphrase_stores_nothing(registry):
    response = V3Client().post(
        "/v3/price", {"passphrase": "nope", "ticker": "AAPL", "price": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}
    assert not PriceTick.objects.exists()


def test_the_history_is_bounded_per_instrument(registry, monkeypatch):
    monkeypatch.setattr(services, "PRICE_HISTORY_KEPT", 3)
    for minute in range(5):
        services.record_price(
            ticker="AAPL", price=100 + minute, time=datetime(2026, 1, 1, 10, minute, tzinfo=UTC)
        )
    services.record_price(ticker="NMFC-ROIC", price=0.5)
    kept = PriceTick.objects.filter(instrument="AAPL").order_by("at")
    assert [t.price for t in kept] == [102, 103, 104]
    assert PriceTick.objects.filter(instrument="NMFC-ROIC").count() == 1


# --- the arithmetic


def test_spread_statistics_over_the_window():
    stats = spread_stats([1.0, 3.0, 2.0, 100.0], window=3)
    assert (stats.last, stats.average, stats.count) == (1.0, 2.0, 3)
    assert stats.deviation == 1.0
    assert stats.z_score == -1.0
    assert spread_stats([], 20) is None
    one = spread_stats([5.0], 20)
    assert (one.last, one.average, one.z_score) == (5.0, None, None)
    flat = spread_stats([2.0, 2.0, 2.0], 20)
    assert (flat.average, flat.deviation, flat.z_score) == (2.0, 0.0, None)


def test_distance_from_the_average_is_seen_from_the_position():
    stats = spread_stats([1.0, 3.0, 2.0], window=3)  # last 1, average 2
    assert distance_from_average(100, stats) == 1.0  # a long: the spread has room to rise
    assert distance_from_average(-100, stats) == -1.0
    assert distance_from_average(0, stats) is None
    assert distance_from_average(5, spread_stats([1.0], 3)) is None


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=60), st.integers(2, 80))
def test_the_z_score_is_the_last_prices_distance_in_deviations(prices, window):
    stats = spread_stats(prices, window)
    used = prices[:window]
    assert stats.count == len(used)
    assert math.isclose(stats.average, sum(used) / len(used), rel_tol=1e-9, abs_tol=1e-6)
    if stats.z_score is not None:
        assert math.isclose(
            stats.z_score * stats.deviation + stats.average, stats.last, rel_tol=1e-6, abs_tol=1e-6
        )


def test_a_price_is_not_taken_for_a_sign_of_the_bridge(registry):
    """TradingView posts prices with the passphrase: they must not hide a silent bridge."""
    from safetynet.models import BridgeContact

    assert post({"ticker": "AAPL", "price": 1}).status_code == 201
    assert not BridgeContact.objects.exists()


def test_each_instruments_newest_prices_are_read_apart_newest_first():
    from datetime import timedelta

    from instruments.selectors import newest_prices

    start = datetime(2026, 12, 1, tzinfo=UTC)
    for minute in range(30):  # two instruments' prices interleaved in time
        PriceTick.objects.create(
            instrument="A-B", price=minute, at=start + timedelta(minutes=minute)
        )
        PriceTick.objects.create(
            instrument="C-D", price=-minute, at=start + timedelta(minutes=minute)
        )
    PriceTick.objects.create(instrument="E-F", price=7, at=start)
    found = newest_prices(["A-B", "C-D", "E-F", "G-H"], 3)
    assert {name: [t.price for t in ticks] for name, ticks in found.items()} == {
        "A-B": [29, 28, 27],
        "C-D": [-29, -28, -27],
        "E-F": [7],
        "G-H": [],
    }


def test_the_newest_price_is_read_back_under_any_spelling_of_the_instrument(registry):
    post({"ticker": "AAPL", "price": 190.5, "time": "2026-12-04 15:00:00"})
    post({"ticker": "NASDAQ:AAPL", "price": 191.25, "time": "2026-12-04 15:01:00"})
    post({"ticker": "AAPL", "price": 150.0, "time": "2026-12-01 15:00:00"})  # older, sent late
    answer = V3Client().get("/v3/price/NASDAQ%3AAAPL")
    assert answer.status_code == 200
    assert answer.json() == {"instrument": "AAPL", "price": 191.25, "time": "2026-12-04 15:01:00"}
    assert V3Client().get("/v3/price/NMFC-ROIC").status_code == 404  # registered, never priced
    unknown = V3Client().get("/v3/price/MSFT")
    assert unknown.status_code == 404
    assert "MSFT" in unknown.json()["message"]


def test_a_price_dated_more_than_a_day_ahead_is_refused_in_words(registry):
    answer = post({"ticker": "AAPL", "price": 1.0, "time": "9999-12-31 00:00:00"})
    assert answer.status_code == 400
    assert "more than a day ahead" in answer.json()["message"]
    assert not PriceTick.objects.exists()


def test_the_history_keeps_the_newest_by_arrival_whatever_time_they_claim(registry, monkeypatch):
    monkeypatch.setattr(services, "PRICE_HISTORY_KEPT", 5)
    for n in range(8):  # all claiming the same time
        services.record_price(ticker="AAPL", price=float(n), time=datetime(2026, 12, 1, tzinfo=UTC))
    assert sorted(PriceTick.objects.values_list("price", flat=True)) == [3.0, 4, 5, 6, 7]
    services.record_price(ticker="AAPL", price=99.0)  # a real price, now
    assert 99.0 in PriceTick.objects.values_list("price", flat=True)
    assert PriceTick.objects.count() == 5
