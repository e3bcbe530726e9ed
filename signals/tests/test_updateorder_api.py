import pytest

from pairsapi.testing import V3Client
from signals.models import Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db


def report(**body):
    return V3Client().put(
        "/v3/signal/updateorder", {"passphrase": "webhook", **body}, format="json"
    )


def test_seed_example_over_http():
    signal = make_signal(order_id1=7, order_id2=8, order_status="created")
    first = report(order_id=7, symbol="NMFC", price=12.6, filled_qty=603)
    assert first.status_code == 200
    assert first.json()["order_status"] == "filled(...)"
    body = report(order_id=8, symbol="ROIC", price="15.55", filled_qty="100").json()
    assert body["rowid"] == signal.rowid
    assert (body["order_status"], body["fill_price"], body["slip"], body["status_msg"]) == (
        "part.filled",
        0.9375,
        0.0425,
        "remained(ROIC): 352",
    )
    assert (body["price1"], body["price2"], body["filled_qty1"], body["filled_qty2"]) == (
        12.6,
        15.55,
        603,
        100,
    )
    body = report(order_id=8, symbol="ROIC", price=15.55, filled_qty=452).json()
    assert (body["order_status"], body["status_msg"]) == ("filled", "")
    # Repeated reports on a filled signal are harmless.
    for order_id, symbol, price, qty in [(7, "NMFC", 12.6, 603), (8, "ROIC", 15.55, 100)]:
        again = report(order_id=order_id, symbol=symbol, price=price, filled_qty=qty)
        assert again.json() == body


def test_single_fill_stores_fill_price():
    make_single(order_id1=11, order_price=400.2, order_status="created")
    body = report(order_id=11, symbol="AAPL", price=400.0, filled_qty=100).json()
    assert (body["order_status"], body["fill_price"], body["slip"]) == ("filled", 400.0, 0.2)


def test_newest_signal_with_that_order_id_and_symbol_is_chosen():
    old = make_single(order_id1=11, order_status="created")
    new = make_single(order_id1=11, order_status="created")
    other_symbol = make_single("MSFT", order_id1=11, order_status="created")
    body = report(order_id=11, symbol="AAPL", price=1, filled_qty=1).json()
    assert body["rowid"] == new.rowid
    old.refresh_from_db()
    other_symbol.refresh_from_db()
    assert old.price1 is None and other_symbol.price1 is None


def test_order_id_with_the_wrong_leg_symbol_is_404():
    make_signal(order_id1=7, order_id2=8)
    response = report(order_id=7, symbol="ROIC", price=1, filled_qty=1)
    assert response.status_code == 404
    assert response.json() == {"message": "item not found."}
    assert report(order_id=999, symbol="NMFC", price=1, filled_qty=1).status_code == 404


def test_cancel_of_a_part_filled_signal():
    make_single(order_id1=11, order_status="created")
    report(order_id=11, symbol="AAPL", price=400.0, filled_qty=30)
    body = report(order_id=11, symbol="AAPL", price=-1, filled_qty=-1, cancel=True).json()
    assert (body["order_status"], body["status_msg"]) == (
        "canceled",
        "(*)part.filled | remained: 70",
    )
    assert body["price1"] == 400.0 and body["filled_qty1"] == 30


def test_cancel_of_a_created_signal():
    make_signal(order_id1=7, order_id2=8, order_status="created", status_msg="x")
    body = report(order_id=8, symbol="ROIC", price=-1, filled_qty=-1, cancel=True).json()
    assert (body["order_status"], body["status_msg"]) == ("canceled", "mult.act.orders")


def test_cancel_as_postman_sends_it_without_symbol():
    make_single(order_id1=1166, order_status="created")
    response = V3Client().put(
        "/v3/signal/updateorder",
        {
            "passphrase": "webhook",
            "order_id": 1166,
            "stk_price": 326.50,
            "cancel": True,
            "partial": True,
            "order_contracts": 15,
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["order_status"] == "canceled"


def test_cancel_leaves_a_filled_signal_alone():
    make_single(order_id1=11, order_status="created")
    report(order_id=11, symbol="AAPL", price=400.0, filled_qty=100)
    body = report(order_id=11, symbol="AAPL", price=-1, filled_qty=-1, cancel=True).json()
    assert body["order_status"] == "filled"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"symbol": "AAPL", "price": 1, "filled_qty": 1}, "order_id"),
        ({"order_id": 11, "price": 1, "filled_qty": 1}, "symbol"),
        ({"order_id": 11, "symbol": "AAPL", "filled_qty": 1}, "price"),
        ({"order_id": 11, "symbol": "AAPL", "price": 1}, "filled_qty"),
        ({"order_id": "x", "symbol": "AAPL", "price": 1, "filled_qty": 1}, "order_id"),
        ({"order_id": 11, "symbol": "AAPL", "price": -1, "filled_qty": 1}, "price"),
        ({"order_id": 11, "symbol": "AAPL", "price": 1, "filled_qty": -5}, "filled_qty"),
        ({"order_id": 11, "symbol": "AAPL", "price": "NaN", "filled_qty": 1}, "price"),
        ({"order_id": 11, "symbol": "AAPL", "price": 1, "filled_qty": 1, "cancel": "x"}, "cancel"),
    ],
)
def test_bad_reports_are_400_and_change_nothing(body, field):
    signal = make_single(order_id1=11, order_status="created")
    response = report(**body)
    assert response.status_code == 400
    assert field in response.json()["message"]
    stored = Signal.objects.get(pk=signal.pk)
    assert (stored.order_status, stored.price1, stored.filled_qty1) == ("created", None, 0)


def test_wrong_passphrase_is_400():
    make_single(order_id1=11, order_status="created")
    response = V3Client().put(
        "/v3/signal/updateorder",
        {"passphrase": "no", "order_id": 11, "symbol": "AAPL", "price": 1, "filled_qty": 1},
        format="json",
    )
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}


def test_the_moment_a_signal_becomes_filled_is_kept_and_not_moved_by_repeats():
    signal = make_signal(order_id1=7, order_id2=8, order_status="created")
    report(order_id=7, symbol="NMFC", price=12.6, filled_qty=603)
    report(order_id=8, symbol="ROIC", price=15.55, filled_qty=100)
    signal.refresh_from_db()
    assert signal.order_status == "part.filled" and signal.filled_at is None
    report(order_id=8, symbol="ROIC", price=15.55, filled_qty=452)
    signal.refresh_from_db()
    assert signal.order_status == "filled"
    filled_at = signal.filled_at
    assert filled_at is not None and filled_at >= signal.timestamp
    report(order_id=8, symbol="ROIC", price=15.55, filled_qty=452)  # the bridge repeats itself
    signal.refresh_from_db()
    assert signal.filled_at == filled_at
    assert "filled_at" not in report(order_id=7, symbol="NMFC", price=12.6, filled_qty=603).json()
