"""The benchmark's insert-only yardstick stores the alert it is sent, and nothing else."""

import json

import pytest
from django.test import RequestFactory

from signals.baseline import insert_only
from signals.models import Signal
from signals.tests.factories import alert

pytestmark = pytest.mark.django_db

ALERT = alert()


def _post(raw):
    return insert_only(RequestFactory().post("/bench/insert", raw, content_type="application/json"))


def test_the_baseline_stores_the_alerts_fields_unchecked():
    response = _post(json.dumps(ALERT))
    assert response.status_code == 201
    signal = Signal.objects.get()
    assert (signal.ticker, signal.order_contracts, signal.order_comment) == (
        ALERT["ticker"],
        ALERT["order_contracts"],
        ALERT["order_comment"],
    )
    # No check ran: the fields the webhook derives from the registry stay empty.
    assert (signal.ticker1, signal.ticker_type, signal.order_status) == (None, None, "waiting")


@pytest.mark.django_db(transaction=True)  # the refused INSERT runs in autocommit, as served
@pytest.mark.parametrize("raw", ["{", "[]", '{"ticker": "X"}'])
def test_the_baseline_refuses_what_is_not_an_alert(raw):
    assert _post(raw).status_code == 400
    assert not Signal.objects.exists()
