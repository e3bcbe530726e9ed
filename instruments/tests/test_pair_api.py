import pytest

from instruments.models import Pair
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import V3Client

pytestmark = pytest.mark.django_db


def test_regpair_creates_and_derives_the_name(trader_api):
    response = trader_api.post(
        "/v3/regpair",
        {"ticker1": "AAA", "ticker2": "BBB", "hedge": 1.123, "status": 0, "do not save": 0},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {"message": "'pair' created successfully."}
    body = V3Client().get("/v3/pair/AAA-BBB").json()
    assert list(body) == ["name", "ticker1", "ticker2", "hedge", "status", "notes"]
    assert body == {
        "name": "AAA-BBB",
        "ticker1": "AAA",
        "ticker2": "BBB",
        "hedge": 1.123,
        "status": 0,
        "notes": None,
    }


def test_regpair_refuses_a_dash_in_a_leg(trader_api):
    for body in (
        {"ticker1": "A-B", "ticker2": "C", "hedge": 1},
        {"ticker1": "A", "ticker2": "C-", "hedge": 1},
    ):
        response = trader_api.post("/v3/regpair", body, format="json")
        assert response.status_code == 400
        assert response.json() == {"message": "problematic ticker!"}
    assert not Pair.objects.exists()


def test_regpair_duplicate_is_400(trader_api):
    body = {"ticker1": "AAA", "ticker2": "BBB", "hedge": 1}
    trader_api.post("/v3/regpair", body, format="json")
    response = trader_api.post("/v3/regpair", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "'pair' with that name already exists."}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"ticker2": "B", "hedge": 1}, "ticker1"),
        ({"ticker1": "A", "hedge": 1}, "ticker2"),
        ({"ticker1": "A", "ticker2": "B"}, "hedge"),
        ({"ticker1": "A", "ticker2": "B", "hedge": 0}, "hedge"),
        ({"ticker1": "A", "ticker2": "B", "hedge": -1}, "hedge"),
        ({"ticker1": "A", "ticker2": "B", "hedge": "abc"}, "hedge"),
        ({"ticker1": "A", "ticker2": "B", "hedge": 1, "status": 5}, "status"),
        ({"ticker1": "A" * 41, "ticker2": "B", "hedge": 1}, "ticker1"),
        ({"ticker1": "A", "ticker2": "B", "hedge": 1, "notes": "n" * 1001}, "notes"),
    ],
)
def test_regpair_bad_bodies_are_400_naming_the_field(trader_api, body, field):
    response = trader_api.post("/v3/regpair", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert not Pair.objects.exists()


def test_regpair_same_ticker_twice_is_refused(trader_api):
    response = trader_api.post(
        "/v3/regpair", {"ticker1": "A", "ticker2": "A", "hedge": 1}, format="json"
    )
    assert response.status_code == 400


def test_regpair_put_updates_hedge_status_notes(trader_api):
    PairFactory(ticker1="MA", ticker2="V", hedge=1.3)
    response = trader_api.put(
        "/v3/regpair",
        {
            "name": "MA-V",
            "ticker1": "MA",
            "ticker2": "V",
            "hedge": "1.4",
            "status": 1,
            "notes": "watch earnings",
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "name": "MA-V",
        "ticker1": "MA",
        "ticker2": "V",
        "hedge": 1.4,
        "status": 1,
        "notes": "watch earnings",
    }
    response = trader_api.put("/v3/regpair", {"name": "MA-V", "status": 0}, format="json")
    assert response.json()["hedge"] == 1.4 and response.json()["status"] == 0


def test_regpair_put_unknown_is_404_and_bad_hedge_400(trader_api):
    response = trader_api.put("/v3/regpair", {"name": "AAA-XXX", "hedge": 1.4}, format="json")
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}
    PairFactory(ticker1="MA", ticker2="V", hedge=1.3)
    response = trader_api.put("/v3/regpair", {"name": "MA-V", "hedge": 0}, format="json")
    assert response.status_code == 400
    assert Pair.objects.get().hedge == 1.3


def test_pair_cannot_be_activated_while_a_leg_is_an_active_single(trader_api):
    TickerFactory(symbol="MA", active=True)
    response = trader_api.post(
        "/v3/regpair", {"ticker1": "MA", "ticker2": "V", "hedge": 1, "status": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"message": " one of the tickers is already active!"}
    assert not Pair.objects.exists()
    PairFactory(ticker1="V", ticker2="MA", hedge=1)
    response = trader_api.put("/v3/regpair", {"name": "V-MA", "status": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": " one of the tickers is already active!"}
    assert Pair.objects.get().status is False
    # Passive pairs may still be saved.
    response = trader_api.put("/v3/regpair", {"name": "V-MA", "hedge": 2}, format="json")
    assert response.status_code == 200


def test_regpair_needs_a_fresh_token():
    response = V3Client().post(
        "/v3/regpair", {"ticker1": "A", "ticker2": "B", "hedge": 1}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["error"] == "authorization_required"


def test_pairs_list_and_get():
    PairFactory(ticker1="A", ticker2="B", hedge=1)
    PairFactory(ticker1="C", ticker2="D", hedge=2)
    client = V3Client()
    assert [p["name"] for p in client.get("/v3/pairs/0").json()["pairs"]] == ["C-D", "A-B"]
    assert [p["name"] for p in client.get("/v3/pairs/1").json()["pairs"]] == ["C-D"]
    assert client.get("/v3/pairs/x").status_code == 400
    assert client.get("/v3/pair/NOPE-X").status_code == 404


def test_pair_delete_needs_admin_and_404s_when_missing(admin_api, trader_api):
    PairFactory(ticker1="XXX", ticker2="ZZZ", hedge=1)
    assert trader_api.delete("/v3/pair/XXX-ZZZ").status_code == 403
    response = admin_api.delete("/v3/pair/XXX-ZZZ")
    assert response.status_code == 200
    assert response.json() == {"message": "'pair' deleted successfully."}
    assert admin_api.delete("/v3/pair/XXX-ZZZ").status_code == 404


@pytest.mark.parametrize(
    "legs, field",
    [
        ({"ticker1": "AB/C", "ticker2": "DE"}, "ticker1"),
        ({"ticker1": "AB", "ticker2": "C/DE"}, "ticker2"),
        ({"ticker1": "AB\tC", "ticker2": "DE"}, "ticker1"),
        ({"ticker1": "A" * 41, "ticker2": "DE"}, "ticker1"),
    ],
)
def test_regpair_legs_are_validated_like_ticker_symbols(trader_api, legs, field):
    response = trader_api.post("/v3/regpair", {**legs, "hedge": 1}, format="json")
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert not Pair.objects.exists()


def test_a_pair_with_spaces_and_dots_in_its_legs_can_be_read_and_deleted(trader_api, admin_api):
    body = {"ticker1": "BF A", "ticker2": "EUR.USD", "hedge": 2}
    assert trader_api.post("/v3/regpair", body, format="json").status_code == 201
    assert V3Client().get("/v3/pair/BF%20A-EUR.USD").json()["ticker1"] == "BF A"
    assert admin_api.delete("/v3/pair/BF%20A-EUR.USD").status_code == 200
