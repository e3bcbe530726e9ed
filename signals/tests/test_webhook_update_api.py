from datetime import UTC, datetime

import pytest

from instruments.tests.factories import PairFactory
from pairsapi.testing import V3Client
from signals.models import Signal
from signals.tests.factories import make_signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    return PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def read(rowid):
    return V3Client().get(f"/v3/signal/{rowid}").json()


def put(body):
    return V3Client().put("/v3/webhook", body, format="json")


def test_bridge_cycle_read_change_send_back(pair):
    signal = make_signal(timestamp=datetime(2022, 5, 27, 0, 1, 42, tzinfo=UTC))
    body = read(signal.rowid)
    body.update(passphrase="webhook", order_id1=7, order_id2=8, order_status="created")
    response = put(body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["order_id1"] == 7 and answer["order_id2"] == 8
    assert answer["order_status"] == "created"
    assert answer["timestamp"] == "2022-05-27 00:01:42"
    assert read(signal.rowid) == answer
    stored = Signal.objects.get()
    assert stored.timestamp == datetime(2022, 5, 27, 0, 1, 42, tzinfo=UTC)


def test_timestamp_of_a_new_signal_round_trips_unchanged(pair):
    V3Client().post(
        "/v3/webhook",
        {
            "passphrase": "webhook",
            "ticker": "NMFC-0.75*ROIC",
            "order_action": "buy",
            "order_contracts": 1,
        },
        format="json",
    )
    signal = Signal.objects.get()
    before = signal.timestamp
    body = read(signal.rowid)
    put({**body, "passphrase": "webhook"})
    signal.refresh_from_db()
    assert signal.timestamp == before


def test_absent_keys_keep_their_values(pair):
    signal = make_signal(order_comment="Enter Long", mar_pos="long", order_id1=5)
    response = put({"passphrase": "webhook", "rowid": signal.rowid, "order_id2": 6})
    body = response.json()
    assert (body["order_comment"], body["mar_pos"], body["order_id1"], body["order_id2"]) == (
        "Enter Long",
        "long",
        5,
        6,
    )


def test_timestamp_sent_in_another_form_is_parsed_as_utc(pair):
    signal = make_signal()
    for sent in ("2024-01-31T14:05:00Z", "2024-01-31 16:05:00+02:00", "2024-01-31 14:05:00.123456"):
        body = put({"passphrase": "webhook", "rowid": signal.rowid, "timestamp": sent}).json()
        assert body["timestamp"] == "2024-01-31 14:05:00"


def test_expression_is_checked_again(pair):
    signal = make_signal()
    body = put(
        {
            "passphrase": "webhook",
            "rowid": signal.rowid,
            "ticker": "NMFC-0.5*ROIC",
            "order_status": "created",
        }
    ).json()
    assert (body["order_status"], body["status_msg"], body["hedge_param"]) == (
        "canceled",
        "wrong hedge",
        0.5,
    )
    pair.status = False
    pair.save()
    body = put(
        {
            "passphrase": "webhook",
            "rowid": signal.rowid,
            "ticker": "NMFC-0.75*ROIC",
            "order_status": "created",
        }
    ).json()
    assert (body["order_status"], body["status_msg"]) == ("canceled", "passive ticker")
    body = put(
        {
            "passphrase": "webhook",
            "rowid": signal.rowid,
            "order_status": "created",
            "bypass_ticker_status": True,
        }
    ).json()
    assert body["order_status"] == "created"


def test_changing_the_expression_rederives_the_legs():
    signal = make_signal()
    body = put(
        {
            "passphrase": "webhook",
            "rowid": signal.rowid,
            "ticker": "AAPL",
            "bypass_ticker_status": True,
        }
    ).json()
    assert (body["ticker_type"], body["ticker1"], body["ticker2"], body["hedge_param"]) == (
        "single",
        "AAPL",
        None,
        None,
    )


def test_postman_body_with_old_key_names_is_accepted(pair):
    signal = make_signal()
    body = {
        "passphrase": "webhook",
        "rowid": signal.rowid,
        "timestamp": "2022-05-27 00:01:42",
        "ticker": "NMFC-0.75*ROIC",
        "order_action": "buy",
        "order_contracts": 100,
        "order_price": -0.01,
        "mar_pos": "long",
        "mar_pos_size": 100,
        "pre_mar_pos": "flat",
        "pre_mar_pos_size": 0,
        "order_comment": "Enter Long(...)",
        "order_status": "canceled",
        "ticker_type": "single",
        "stk_ticker1": "NMFC",
        "stk_ticker2": None,
        "hedge_param": None,
        "order_id1": 12,
        "order_id2": 14,
        "stk_price1": None,
        "stk_price2": None,
        "fill_price": None,
        "slip": None,
        "error_msg": "unregistered ticker",
    }
    response = put(body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["ticker_type"] == "pair"  # derived from the expression, not taken from the body
    assert answer["order_status"] == "canceled" and answer["order_id2"] == 14


def test_unknown_rowid_is_404():
    response = put({"passphrase": "webhook", "rowid": 12345})
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rowid": None}, "rowid"),
        ({"rowid": "abc"}, "rowid"),
        ({"rowid": 0}, "rowid"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "2024-13-45 99:00:00"}, "timestamp"),
        # In the year 10000 and the year 0 once in UTC.
        ({"timestamp": "9999-12-31T23:59:59-01:00"}, "timestamp"),
        ({"timestamp": "0001-01-01T00:00:00+01:00"}, "timestamp"),
        ({"order_id1": "seven"}, "order_id1"),
        ({"price1": "high"}, "price1"),
        ({"order_contracts": -3}, "order_contracts"),
        ({"order_contracts": 0}, "order_contracts"),
        ({"order_action": "short"}, "order_action"),
        ({"passphrase": "x"}, "passphrase"),
    ],
)
def test_bad_updates_are_400_and_change_nothing(pair, change, field):
    signal = make_signal()
    before = read(signal.rowid)
    body = {"passphrase": "webhook", "rowid": signal.rowid, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = put(body)
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert read(signal.rowid) == before


@pytest.mark.parametrize("timestamp", ["0001-01-01 00:00:00", "9999-12-31 23:59:59"])
def test_the_first_and_last_representable_timestamps_round_trip(pair, timestamp):
    signal = make_signal()
    answer = put({"passphrase": "webhook", "rowid": signal.rowid, "timestamp": timestamp}).json()
    assert answer["timestamp"] == timestamp
    assert read(signal.rowid)["timestamp"] == timestamp
    assert put({**read(signal.rowid), "passphrase": "webhook"}).json()["timestamp"] == timestamp


def test_out_of_range_timestamp_message_says_what_is_wrong(pair):
    signal = make_signal()
    response = put(
        {"passphrase": "webhook", "rowid": signal.rowid, "timestamp": "9999-12-31T23:59:59-01:00"}
    )
    assert response.json() == {
        "message": {
            "timestamp": "'timestamp' is out of range: in UTC it must fall in the years 1 to 9999."
        }
    }
