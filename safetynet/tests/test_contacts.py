"""The bridge's contacts are recorded as it makes them, so "bridge last seen" is true."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairsapi.testing import V3Client
from safetynet.models import BridgeContact
from safetynet.selectors import bridge_last_seen
from signals.tests.factories import alert, make_single

pytestmark = pytest.mark.django_db


def seen():
    return sorted(BridgeContact.objects.values_list("address", "route"))


def test_the_bridges_poll_and_its_writes_are_contacts():
    client = V3Client(REMOTE_ADDR="10.1.2.3", HTTP_X_PASSPHRASE="webhook")
    assert client.get("/v3/signals/status/waiting/0").status_code == 200
    signal = make_single(order_id1=7, order_status="created")
    fill = {"passphrase": "webhook", "order_id": 7, "symbol": "AAPL", "price": 1, "filled_qty": 5}
    assert client.put("/v3/signal/updateorder", fill, format="json").status_code == 200
    put = {"passphrase": "webhook", "rowid": signal.rowid, "order_status": "filled"}
    assert client.put("/v3/webhook/", put, format="json").status_code == 200
    assert seen() == [
        ("10.1.2.3", "GET /v3/signals/status/waiting"),
        ("10.1.2.3", "PUT /v3/signal/updateorder"),
        ("10.1.2.3", "PUT /v3/webhook"),
    ]
    assert bridge_last_seen().address == "10.1.2.3"


def test_alerts_refusals_and_other_reads_are_not_the_bridge():
    client = V3Client(REMOTE_ADDR="10.1.2.3")
    client.post("/v3/webhook", alert(ticker="AAPL"), format="json")  # TradingView
    wrong = {"passphrase": "guess", "order_id": 7, "symbol": "AAPL", "price": 1, "filled_qty": 5}
    assert client.put("/v3/signal/updateorder", wrong, format="json").status_code == 400
    assert client.get("/v3/signals/status/filled/5").status_code == 200
    assert client.get("/v3/signals/0").status_code == 200
    assert seen() == []


def test_a_write_the_service_refuses_still_shows_the_bridge_is_alive():
    right_passphrase = {"passphrase": "webhook", "order_id": 99, "symbol": "X", "price": 1}
    response = V3Client().put("/v3/signal/updateorder", right_passphrase, format="json")
    assert response.status_code in (400, 404)
    assert seen() == [("127.0.0.1", "PUT /v3/signal/updateorder")]


def test_an_anonymous_poll_is_not_the_bridge():
    # Anyone can read the waiting list: a read that does not say who it is clears no alarm.
    assert V3Client(REMOTE_ADDR="10.9.9.9").get("/v3/signals/status/waiting/0").status_code == 200
    wrong = V3Client(HTTP_X_PASSPHRASE="guess").get("/v3/signals/status/waiting/0")
    assert wrong.status_code == 200
    assert seen() == []


def test_a_bridge_polling_every_second_writes_its_contact_once_in_five_seconds():
    client = V3Client(HTTP_X_PASSPHRASE="webhook")
    client.get("/v3/signals/status/waiting/0")
    with CaptureQueriesContext(connection) as queries:
        client.get("/v3/signals/status/waiting/0")
    assert not [q for q in queries.captured_queries if "safetynet_bridgecontact" in q["sql"]]
    assert len(seen()) == 1
