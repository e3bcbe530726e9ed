"""Every change to a signal, ticker, pair or user leaves a row: who, when, which fields from
what to what, written in the same transaction as the change. Runs on both databases."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from audit import triggers
from audit.models import AuditChange
from audit.selectors import history_of
from instruments.models import Ticker
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.actors import acting_as
from pairsapi.testing import V3Client
from signals.models import Signal
from signals.tests.factories import alert, make_signal, make_single

pytestmark = pytest.mark.django_db


def trail(model, key):
    return [(c.action, c.actor, c.changes) for c in history_of(model, key)][::-1]


def test_an_alert_and_its_fills_are_traced_to_the_passphrase(nmfc_roic):
    client = V3Client()
    assert client.post("/v3/webhook", alert(), format="json").status_code == 201
    signal = Signal.objects.get()
    bridge = {"passphrase": "webhook", "rowid": signal.rowid, "order_id1": 7, "order_id2": 8}
    written = client.put("/v3/webhook", {**bridge, "order_status": "created"}, format="json")
    assert written.status_code == 200
    fill = {"passphrase": "webhook", "order_id": 7, "symbol": "NMFC", "price": 12.6}
    client.put("/v3/signal/updateorder", {**fill, "filled_qty": 603}, format="json")
    # The request's actor ends with the request: this thread's next change is the service's.
    Signal.objects.filter(pk=signal.pk).update(order_comment="noted")
    assert trail("signal", signal.rowid)[-1] == (
        "update",
        "service",
        {"order_comment": ["Enter Long", "noted"]},
    )
    # The alert's INSERT writes its creator on the row, not a second row.
    assert signal.created_by == "passphrase"
    assert trail("signal", signal.rowid)[:-1] == [
        (
            "update",
            "passphrase",
            {
                "order_id1": [None, 7],
                "order_id2": [None, 8],
                "order_status": ["waiting", "created"],
            },
        ),
        (
            "update",
            "passphrase",
            {
                "price1": [None, 12.6],
                "filled_qty1": [0, 603],
                "order_status": ["created", "filled(...)"],
            },
        ),
    ]


@pytest.fixture
def nmfc_roic():
    TickerFactory(symbol="NMFC")
    TickerFactory(symbol="ROIC")
    PairFactory(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def test_a_users_token_names_the_user_and_market_marks_are_not_changes(trader_api):
    trader_api.post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    trader_api.put("/v3/regticker", {"symbol": "AAPL", "order_type": "MKT"}, format="json")
    position = {"passphrase": "webhook", "symbol": "AAPL", "active_pos": 12, "active_pnl": 5}
    V3Client().put("/v3/ticker/updatepnl", position, format="json")
    V3Client().put("/v3/ticker/updatepnl", {**position, "active_pnl": 9}, format="json")
    ticker = Ticker.objects.get(symbol="AAPL")
    assert ticker.active_pnl == 9
    assert trail("ticker", ticker.pk) == [
        ("create", "user:trader", {}),
        ("update", "user:trader", {"order_type": ["RELATIVE", "MKT"]}),
        ("update", "passphrase", {"active_pos": [0, 12]}),
    ]


def test_staff_in_the_admin_and_their_bulk_action_are_traced(staff_browser):
    waiting = [make_single(), make_single("MSFT")]
    filled = make_single("IBM", order_status="filled")
    response = staff_browser.post(
        "/admin/signals/signal/",
        {
            "action": "cancel_waiting",
            "_selected_action": [s.pk for s in [*waiting, filled]],
        },
    )
    assert response.status_code == 302
    for signal in waiting:
        assert trail("signal", signal.rowid)[-1] == (
            "update",
            "staff:boss",
            {
                "order_status": ["waiting", "canceled"],
                "status_msg": [None, "canceled by staff"],
            },
        )
    assert trail("signal", filled.rowid) == []
    assert filled.created_by == "service"


def test_a_password_change_is_recorded_without_the_password():
    user = get_user_model().objects.create_user("ann", password="first-secret-1")
    user.set_password("second-secret-2")
    user.save()
    user.refresh_from_db()  # logging in touches last_login only: not a change worth a row
    user.last_login = user.date_joined
    user.save()
    assert trail("user", user.pk) == [
        ("create", "service", {}),
        ("update", "service", {"password": ["(hidden)", "(changed)"]}),
    ]
    assert "second-secret" not in str(AuditChange.objects.values_list("changes"))


def test_a_deleted_signal_keeps_its_last_values():
    signal = make_single(order_id1=41)
    rowid = signal.rowid
    with acting_as("user:boss"):
        signal.delete()
    action, actor, changes = trail("signal", rowid)[-1]
    assert (action, actor) == ("delete", "user:boss")
    assert changes["order_id1"] == [41, None] and changes["ticker"] == ["AAPL", None]


def test_the_trail_row_is_in_the_changes_transaction_and_leaves_with_its_rollback():
    signal = make_signal()
    before = AuditChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Signal.objects.filter(pk=signal.pk).update(order_status="canceled")
        # Seen inside the transaction that made the change...
        assert trail("signal", signal.rowid)[-1][2] == {"order_status": ["waiting", "canceled"]}
        raise RuntimeError("the change fails later in the transaction")
    # ... and gone with it.
    assert AuditChange.objects.count() == before
    assert trail("signal", signal.rowid) == []


def test_an_update_that_changes_nothing_leaves_no_row():
    signal = make_signal()
    Signal.objects.filter(pk=signal.pk).update(order_status="waiting")
    assert trail("signal", signal.rowid) == []


def test_the_triggers_come_off_and_back_on():
    signal = make_signal()
    triggers.uninstall()
    Signal.objects.filter(pk=signal.pk).update(order_status="canceled")
    TickerFactory(symbol="OFF")
    assert not AuditChange.objects.exists()
    triggers.install()
    triggers.install()  # installing twice leaves one set
    Signal.objects.filter(pk=signal.pk).update(order_status="waiting")
    ticker = TickerFactory(symbol="ON")
    assert trail("signal", signal.rowid) == [
        ("update", "service", {"order_status": ["canceled", "waiting"]})
    ]
    assert trail("ticker", ticker.pk) == [("create", "service", {})]


def test_a_signal_staff_add_in_the_admin_names_them(staff_browser, nmfc_roic):
    response = staff_browser.post(
        "/admin/signals/signal/add/",
        {
            "ticker": "NMFC-0.75*ROIC",
            "order_action": "buy",
            "order_contracts": 10,
            "order_comment": "",
            "order_status": "waiting",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Signal.objects.get().created_by == "staff:boss"


@pytest.mark.parametrize("model", ["signal", "ticker", "pair", "user"])
def test_the_admin_shows_a_rows_history_on_its_change_page(staff_browser, model):
    with acting_as("staff:boss"):
        row = {
            "signal": lambda: make_single(order_status="created"),
            "ticker": lambda: TickerFactory(symbol="ACC"),
            "pair": lambda: PairFactory(name="A-B", ticker1="A", ticker2="B"),
            "user": lambda: get_user_model().objects.create_user("ann"),
        }[model]()
        if model == "signal":  # its creation is on the row; the trail holds what came after
            Signal.objects.filter(pk=row.pk).update(order_status="filled")
    app = {"signal": "signals", "user": "auth"}.get(model, "instruments")
    page = staff_browser.get(f"/admin/{app}/{model}/{row.pk}/change/").content.decode()
    assert "Change history" in page
    assert "<td>create</td><td>staff:boss</td>" in page
    trail_page = staff_browser.get(f"/admin/audit/auditchange/?model={model}&q={row.pk}")
    assert trail_page.status_code == 200 and "staff:boss" in trail_page.content.decode()
