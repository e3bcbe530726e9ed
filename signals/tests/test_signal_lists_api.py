import pytest

from pairsapi.testing import V3Client
from signals.models import Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db

SIGNAL_KEYS = [
    "rowid",
    "timestamp",
    "ticker",
    "order_action",
    "order_contracts",
    "order_price",
    "mar_pos",
    "mar_pos_size",
    "pre_mar_pos",
    "pre_mar_pos_size",
    "order_comment",
    "order_status",
    "ticker_type",
    "ticker1",
    "ticker2",
    "hedge_param",
    "order_id1",
    "order_id2",
    "price1",
    "price2",
    "fill_price",
    "slip",
    "error_msg",
    "status_msg",
]


def rowids(response):
    return [s["rowid"] for s in response.json()["signals"]]


@pytest.fixture
def thirty():
    return [make_single(order_status="filled").rowid for _ in range(30)]


def test_signals_list_keys_and_notoken_limit(thirty, trader_api):
    body = V3Client().get("/v3/signals/3").json()
    assert body["notoken_limit"] == 5
    assert list(body["signals"][0])[: len(SIGNAL_KEYS)] == SIGNAL_KEYS
    assert rowids(V3Client().get("/v3/signals/3")) == thirty[::-1][:3]


def test_signals_anonymous_cap_and_token_lifts_it(thirty, trader_api):
    assert rowids(V3Client().get("/v3/signals/0")) == thirty[::-1][:5]
    assert rowids(V3Client().get("/v3/signals/50")) == thirty[::-1][:5]
    assert rowids(trader_api.get("/v3/signals/0")) == thirty[::-1]
    assert rowids(trader_api.get("/v3/signals/7")) == thirty[::-1][:7]
    # An invalid token is no token: the caller is capped, not refused.
    bad = V3Client().with_token("garbage")
    assert rowids(bad.get("/v3/signals/0")) == thirty[::-1][:5]


def test_numbers_are_json_numbers():
    make_single(order_id1=3, price1=1.5, filled_qty1=2)
    signal = V3Client().get("/v3/signals/1").json()["signals"][0]
    assert signal["order_contracts"] == 100 and isinstance(signal["order_contracts"], int)
    assert signal["order_price"] == 400.2
    assert signal["order_id1"] == 3 and signal["filled_qty1"] == 2


def test_signals_for_a_pair_and_a_single(trader_api):
    pair = make_signal().rowid
    make_signal(ticker1="NMFC", ticker2="OTHER")
    single = make_single("NMFC").rowid
    make_single("ROIC")
    assert rowids(trader_api.get("/v3/signals/ticker/NMFC-ROIC/0")) == [pair]
    assert rowids(trader_api.get("/v3/signals/ticker/NMFC/0")) == [single]
    assert rowids(trader_api.get("/v3/signals/ticker/A-B-C/0")) == []
    assert rowids(trader_api.get("/v3/signals/ticker/NOPE/0")) == []


def test_signals_for_ticker_with_space_and_caps(trader_api):
    ids = [make_single("BF A").rowid for _ in range(8)]
    assert rowids(trader_api.get("/v3/signals/ticker/BF%20A/3")) == ids[::-1][:3]
    assert rowids(V3Client().get("/v3/signals/ticker/BF%20A/0")) == ids[::-1][:5]
    assert "notoken_limit" not in V3Client().get("/v3/signals/ticker/BF%20A/0").json()


def test_waiting_includes_rerouted_and_caps_anonymous_at_twenty(trader_api):
    waiting = [make_single(order_status="waiting").rowid for _ in range(15)]
    rerouted = [make_single(order_status="rerouted").rowid for _ in range(10)]
    make_single(order_status="filled")
    expected = sorted(waiting + rerouted, reverse=True)
    assert rowids(V3Client().get("/v3/signals/status/waiting/0")) == expected[:20]
    assert rowids(V3Client().get("/v3/signals/status/waiting/30")) == expected[:20]
    assert rowids(trader_api.get("/v3/signals/status/waiting/0")) == expected
    assert rowids(trader_api.get("/v3/signals/status/rerouted/0")) == rerouted[::-1]


def test_other_statuses_cap_anonymous_at_five(trader_api):
    ids = [make_single(order_status="filled").rowid for _ in range(8)]
    assert rowids(V3Client().get("/v3/signals/status/filled/0")) == ids[::-1][:5]
    assert rowids(trader_api.get("/v3/signals/status/filled/0")) == ids[::-1]
    assert rowids(trader_api.get("/v3/signals/status/part.filled/0")) == []


@pytest.mark.parametrize(
    "path",
    [
        "/v3/signals/-1",
        "/v3/signals/x",
        "/v3/signals/ticker/AAPL/1.5",
        "/v3/signals/status/waiting/abc",
    ],
)
def test_bad_number_of_items_is_400(path):
    response = V3Client().get(path)
    assert response.status_code == 400
    assert "number_of_items" in response.json()["message"]


def test_signal_get_and_404():
    signal = make_single()
    body = V3Client().get(f"/v3/signal/{signal.rowid}").json()
    assert body["rowid"] == signal.rowid and list(body)[: len(SIGNAL_KEYS)] == SIGNAL_KEYS
    response = V3Client().get("/v3/signal/99999")
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.5", "9" * 30])
def test_signal_bad_rowid_is_400(bad):
    response = V3Client().get(f"/v3/signal/{bad}")
    assert response.status_code == 400
    assert "rowid" in response.json()["message"]


def test_signal_delete_needs_fresh_admin(admin_api, trader_api):
    signal = make_single()
    assert V3Client().delete(f"/v3/signal/{signal.rowid}").status_code == 401
    response = trader_api.delete(f"/v3/signal/{signal.rowid}")
    assert response.status_code == 403
    assert response.json() == {"message": "'admin' privilege required."}
    response = admin_api.delete(f"/v3/signal/{signal.rowid}")
    assert response.status_code == 200
    assert response.json() == {"message": "'signal' deleted successfully."}
    assert not Signal.objects.exists()
    assert admin_api.delete(f"/v3/signal/{signal.rowid}").status_code == 404
