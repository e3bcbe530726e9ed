import re
from datetime import UTC, datetime

import pytest

from pnl.models import AccountSnapshot
from signals.models import Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/signals/signal/",
        "/admin/signals/signal/?order_status=waiting",
        "/admin/signals/signal/?ticker_type=pair",
        "/admin/signals/signal/?q=NMFC",
        "/admin/signals/signal/?timestamp__year=2024",
        "/admin/pnl/accountsnapshot/",
        "/admin/pnl/accountsnapshot/?timestamp__year=2024",
    ],
)
def test_signal_and_snapshot_admin_pages_load(staff_browser, path):
    make_signal(timestamp=datetime(2024, 3, 5, tzinfo=UTC))
    AccountSnapshot.objects.create(net_liquidation=1, timestamp=datetime(2024, 3, 5, tzinfo=UTC))
    response = staff_browser.get(path)
    assert response.status_code == 200
    assert "NMFC" in response.content.decode() or "accountsnapshot" in path


def test_signal_search_and_filter_narrow_the_list(staff_browser):
    make_signal()
    make_single("AAPL", order_status="filled")
    html = staff_browser.get("/admin/signals/signal/?q=AAPL").content.decode()
    assert "AAPL" in html and "NMFC-0.75*ROIC" not in html
    html = staff_browser.get("/admin/signals/signal/?order_status=filled").content.decode()
    assert "AAPL" in html and "NMFC-0.75*ROIC" not in html


def test_cancel_action_cancels_only_waiting_signals(staff_browser):
    waiting = make_single(order_status="waiting")
    rerouted = make_single(order_status="rerouted")
    filled = make_single(order_status="filled")
    response = staff_browser.post(
        "/admin/signals/signal/",
        {"action": "cancel_waiting", "_selected_action": [waiting.pk, rerouted.pk, filled.pk]},
        follow=True,
    )
    assert "2 waiting signal(s) canceled." in response.content.decode()
    statuses = dict(Signal.objects.values_list("rowid", "order_status"))
    assert statuses == {waiting.pk: "canceled", rerouted.pk: "canceled", filled.pk: "filled"}


def test_computed_fields_are_read_only(staff_browser):
    signal = make_signal(fill_price=0.5)
    html = staff_browser.get(f"/admin/signals/signal/{signal.pk}/change/").content.decode()
    assert 'name="fill_price"' not in html and 'name="ticker1"' not in html
    assert 'name="order_status"' in html


def test_staff_edit_of_a_signal_is_saved_through_the_service(staff_browser):
    signal = make_single(order_status="waiting")
    response = staff_browser.post(
        f"/admin/signals/signal/{signal.pk}/change/",
        {
            "ticker": "AAPL",
            "order_action": "buy",
            "order_contracts": 100,
            "order_price": 400.2,
            "order_comment": "",
            "order_status": "created",
            "order_id1": 77,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    signal.refresh_from_db()
    assert (signal.order_status, signal.order_id1) == ("created", 77)
    # The ticker AAPL is not registered, but staff's word stands: no re-screening to "error".
    assert signal.status_msg is None


def test_the_status_and_kind_filters_read_as_the_log_does(staff_browser):
    waiting = make_single(order_status="waiting")
    rerouted = make_single(order_status="rerouted")
    make_single(order_status="filled")
    problematic = make_signal(
        ticker="A*2-B", ticker_type=None, ticker1=None, ticker2=None, order_status="error"
    )
    html = staff_browser.get("/admin/signals/signal/?order_status=waiting").content.decode()
    shown = set(map(int, re.findall(r'href="/admin/signals/signal/(\d+)/change/', html)))
    assert shown == {waiting.rowid, rerouted.rowid}
    html = staff_browser.get("/admin/signals/signal/?ticker_type=problematic").content.decode()
    shown = set(map(int, re.findall(r'href="/admin/signals/signal/(\d+)/change/', html)))
    assert shown == {problematic.rowid}


def test_a_big_unfiltered_list_takes_the_tables_estimated_size(monkeypatch):
    from django.db import connection

    from pairsapi import paging
    from pairsapi.paging import EstimatedCountPaginator

    for _ in range(7):
        make_single()
    monkeypatch.setattr(paging, "ESTIMATE_ABOVE", 0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE signals_signal")
    unfiltered = EstimatedCountPaginator(Signal.objects.order_by("-rowid"), 50)
    assert unfiltered.count == 7  # PostgreSQL's estimate after ANALYZE; SQLite counts
    make_single()
    estimated = EstimatedCountPaginator(Signal.objects.order_by("-rowid"), 50).count
    # The estimate lags a write on PostgreSQL until the next ANALYZE; SQLite counts.
    assert estimated == (7 if connection.vendor == "postgresql" else 8)
    waiting = Signal.objects.filter(order_status="waiting")
    filtered = EstimatedCountPaginator(waiting, 50).count
    if connection.vendor == "postgresql":  # the planner's figure for the filtered list
        assert filtered == paging.estimated_rows(waiting) and filtered > 0
    else:
        assert filtered == 8
    monkeypatch.setattr(paging, "ESTIMATE_ABOVE", 1_000_000)
    assert EstimatedCountPaginator(waiting, 50).count == 8  # small lists are counted


def test_the_search_reads_tradingview_spellings_and_finds_pairs_too(staff_browser):
    pair = make_signal()
    single = make_single("AAPL")
    for term, expected in (
        ("nasdaq:aapl", {single.rowid}),
        ("NMFC-0.75*ROIC", {pair.rowid}),
        ("nmfc-roic", {pair.rowid}),
        ("A*2-B", set()),
    ):
        html = staff_browser.get("/admin/signals/signal/", {"q": term}).content.decode()
        shown = set(map(int, re.findall(r'href="/admin/signals/signal/(\d+)/change/', html)))
        assert shown == expected, term


def test_held_signals_are_released_or_canceled_from_the_list(staff_browser):
    held = make_single(order_status="held", error_msg="risk: x")
    other = make_single(order_status="held", error_msg="risk: y")
    filled = make_single(order_status="filled")
    response = staff_browser.post(
        "/admin/signals/signal/",
        {"action": "release_held", "_selected_action": [held.pk, filled.pk]},
        follow=True,
    )
    assert "Released: 1 waiting." in response.content.decode()
    response = staff_browser.post(
        "/admin/signals/signal/",
        {"action": "cancel_waiting", "_selected_action": [other.pk]},
        follow=True,
    )
    assert "1 waiting signal(s) canceled." in response.content.decode()
    statuses = dict(Signal.objects.values_list("rowid", "order_status"))
    assert statuses == {held.pk: "waiting", other.pk: "canceled", filled.pk: "filled"}
