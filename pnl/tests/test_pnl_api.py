import pytest

from pairsapi.testing import V3Client
from pnl.models import AccountSnapshot

pytestmark = pytest.mark.django_db

POSTMAN_SNAPSHOT = {
    "passphrase": "webhook",
    "AvailableFunds": 31000,
    "BuyingPower": 103295,
    "DailyPnL": 268.9,
    "GrossPositionValue": 103809,
    "MaintMarginReq": 31600,
    "NetLiquidation": 62588,
    "RealizedPnL": 30,
    "UnrealizedPnL": -1000,
}
KEYS = [
    "rowid",
    "timestamp",
    "AvailableFunds",
    "BuyingPower",
    "DailyPnL",
    "GrossPositionValue",
    "MaintMarginReq",
    "NetLiquidation",
    "RealizedPnL",
    "UnrealizedPnL",
]


def test_regpnl_post_records_a_snapshot():
    response = V3Client().post("/v3/regpnl", POSTMAN_SNAPSHOT, format="json")
    assert response.status_code == 201
    assert response.json() == {"message": "'record' created successfully."}
    body = V3Client().get("/v3/pnl/1").json()
    assert body["notoken_limit"] == 5
    snapshot = body["signals"][0]
    assert list(snapshot) == KEYS
    assert snapshot["NetLiquidation"] == 62588 and snapshot["DailyPnL"] == 268.9
    assert body["pnl"] == body["signals"]


def test_pnl_defaults_unknown_pnl_to_minus_one_and_the_rest_to_null():
    V3Client().post(
        "/v3/regpnl", {"passphrase": "webhook", "NetLiquidation": "1000.5"}, format="json"
    )
    snapshot = V3Client().get("/v3/pnl/1").json()["signals"][0]
    assert (snapshot["DailyPnL"], snapshot["RealizedPnL"], snapshot["UnrealizedPnL"]) == (
        -1,
        -1,
        -1,
    )
    assert snapshot["AvailableFunds"] is None and snapshot["NetLiquidation"] == 1000.5


def test_regpnl_put_updates_by_rowid_and_keeps_the_timestamp():
    V3Client().post("/v3/regpnl", POSTMAN_SNAPSHOT, format="json")
    stored = V3Client().get("/v3/pnl/1").json()["signals"][0]
    response = V3Client().put(
        "/v3/regpnl", {**stored, "passphrase": "webhook", "AvailableFunds": 32000}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {**stored, "AvailableFunds": 32000}


def test_regpnl_put_with_null_figures_clears_them():
    # Found by schemathesis: a null PnL figure was a 500 (the column is NOT NULL).
    snapshot = AccountSnapshot.objects.create(net_liquidation=1, realized_pnl=5, daily_pnl=2)
    body = {"passphrase": "webhook", "rowid": snapshot.rowid}
    body.update({"RealizedPnL": None, "DailyPnL": None, "NetLiquidation": None})
    response = V3Client().put("/v3/regpnl", body, format="json")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["RealizedPnL"], answer["DailyPnL"], answer["NetLiquidation"]) == (-1, -1, None)


def test_regpnl_put_as_postman_sends_it():
    snapshot = AccountSnapshot.objects.create(net_liquidation=1)
    body = {
        **POSTMAN_SNAPSHOT,
        "rowid": snapshot.rowid,
        "timestamp": "2022-06-16 23:55:36",
        "AvailableFunds": 32000,
    }
    response = V3Client().put("/v3/regpnl", body, format="json")
    assert response.status_code == 200
    assert response.json()["timestamp"] == "2022-06-16 23:55:36"
    assert response.json()["AvailableFunds"] == 32000


def test_regpnl_put_unknown_rowid_is_404():
    response = V3Client().put("/v3/regpnl", {"passphrase": "webhook", "rowid": 10}, format="json")
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}


@pytest.mark.parametrize(
    "method, change, field",
    [
        ("post", {"passphrase": "nope"}, "passphrase"),
        ("post", {"NetLiquidation": "lots"}, "NetLiquidation"),
        ("post", {"DailyPnL": [1, 2]}, "DailyPnL"),
        ("post", {"DailyPnL": []}, "DailyPnL"),
        ("post", {"timestamp": "noon"}, "timestamp"),
        ("post", {"timestamp": "9999-12-31T23:59:59-01:00"}, "timestamp"),
        ("post", {"timestamp": "0001-01-01T00:00:00+01:00"}, "timestamp"),
        ("put", {"rowid": "x"}, "rowid"),
        ("put", {}, "rowid"),
    ],
)
def test_bad_snapshots_are_400_and_store_nothing(method, change, field):
    response = getattr(V3Client(), method)(
        "/v3/regpnl", {**POSTMAN_SNAPSHOT, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert not AccountSnapshot.objects.exists()


def test_pnl_list_anonymous_cap_and_token(trader_api):
    ids = [AccountSnapshot.objects.create(net_liquidation=i).rowid for i in range(8)]
    anonymous = V3Client().get("/v3/pnl/0").json()["signals"]
    assert [s["rowid"] for s in anonymous] == ids[::-1][:5]
    assert [s["rowid"] for s in trader_api.get("/v3/pnl/0").json()["signals"]] == ids[::-1]
    assert V3Client().get("/v3/pnl/x").status_code == 400
