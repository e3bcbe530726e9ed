"""Manual orders from the console: what buy, sell, close and revert mean, the confirmation, and
the signal that comes of it (the same checks as an alert, marked as staff's)."""

import re
from html import unescape

import pytest
from django.test import Client

from instruments import services as instruments
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import PASSWORD
from signals.manual import ManualOrder, NoOrder, manual_order
from signals.models import Signal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "position", "contracts", "expected"),
    [
        ("buy", 0, 10, ManualOrder("buy", 10)),
        ("sell", 50, 7, ManualOrder("sell", 7)),
        ("close", 603, None, ManualOrder("sell", 603)),
        ("close", -452, None, ManualOrder("buy", 452)),
        ("revert", 603, None, ManualOrder("sell", 1206)),
        ("revert", -10, 99, ManualOrder("buy", 20)),  # a size given to revert is not used
        ("close", 10.6, None, ManualOrder("sell", 10)),  # whole contracts
    ],
)
def test_what_each_kind_of_order_means(kind, position, contracts, expected):
    assert manual_order(kind, position, contracts) == expected


@pytest.mark.parametrize(
    ("kind", "position", "contracts", "words"),
    [
        ("close", 0, None, "no open position"),
        ("revert", 0.4, None, "no open position"),
        ("buy", 0, None, "number of contracts"),
        ("sell", 0, 0, "number of contracts"),
        ("hold", 0, 1, "not one of"),
    ],
)
def test_orders_that_cannot_be_made(kind, position, contracts, words):
    with pytest.raises(NoOrder, match=words):
        manual_order(kind, position, contracts)


@pytest.fixture
def book():
    TickerFactory(symbol="NMFC", active_pos=603)
    TickerFactory(symbol="ROIC", active_pos=-452)
    PairFactory(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    TickerFactory(symbol="AAPL", active=True, active_pos=10)
    TickerFactory(symbol="MSFT", active=False, active_pos=-25)


@pytest.fixture
def staff_csrf(staff):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=staff.username, password=PASSWORD)
    return client


def confirm(client, **query):
    """Open the confirmation and send its form as the page does (with its CSRF token)."""
    page = client.get("/orders/new", query)
    assert page.status_code == 200, page.content[:400]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return page, client.post("/orders/new", {**query, "csrfmiddlewaretoken": token})


def test_closing_a_pair_confirms_then_stores_a_signal_as_an_alert_would(staff_csrf, book):
    page, placed = confirm(staff_csrf, instrument="NMFC-ROIC", kind="close")
    assert "Sell</strong>\n    603 NMFC-ROIC" in page.content.decode()
    signal = Signal.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/signals/{signal.rowid}"
    assert (signal.ticker, signal.order_action, signal.order_contracts) == (
        "NMFC-0.75*ROIC",
        "sell",
        603,
    )
    assert (signal.ticker_type, signal.ticker1, signal.ticker2, signal.hedge_param) == (
        "pair",
        "NMFC",
        "ROIC",
        0.75,
    )
    assert signal.order_status == "waiting"  # on its way to the bridge
    assert signal.created_by == "staff:boss"
    assert signal.order_comment == "manual close"
    log = staff_csrf.get("/signals", {"source": "manual"}).content.decode()
    assert f'href="/signals/{signal.rowid}"' in log


def test_revert_buy_and_the_same_checks_as_alerts(staff_csrf, book):
    confirm(staff_csrf, instrument="AAPL", kind="revert")
    confirm(staff_csrf, instrument="MSFT", kind="buy", contracts="5")
    revert, passive = Signal.objects.order_by("rowid")
    assert (revert.order_action, revert.order_contracts) == ("sell", 20)
    assert (passive.order_status, passive.status_msg) == ("canceled", "passive ticker")


def test_without_the_csrf_token_nothing_is_placed(staff_csrf, book):
    response = staff_csrf.post("/orders/new", {"instrument": "AAPL", "kind": "close"})
    assert response.status_code == 403
    assert not Signal.objects.exists()


def test_a_trader_who_is_not_staff_cannot_place_orders(browser, book):
    response = browser.post("/orders/new", {"instrument": "AAPL", "kind": "close"})
    assert response.status_code == 302 and "/admin/login" in response["Location"]
    assert not Signal.objects.exists()
    assert "Close</a>" not in browser.get("/watchlist").content.decode()


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"instrument": "ZZZ", "kind": "buy", "contracts": "1"}, "no ticker or pair 'ZZZ'"),
        ({"instrument": "AAPL", "kind": "buy"}, "Give the number of contracts"),
        ({"instrument": "AAPL", "kind": "buy", "contracts": "-3"}, "greater than or equal to 1"),
        ({"instrument": "AAPL", "kind": "hold"}, "Select a valid choice"),
    ],
)
def test_orders_refused_say_why_and_keep_what_was_entered(staff_browser, book, query, words):
    response = staff_browser.post("/orders/new", query)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert words in html
    assert f'value="{query["instrument"]}"' in html
    assert not Signal.objects.exists()


def test_closing_nothing_is_refused(staff_browser, book):
    Signal.objects.all().delete()
    from instruments.models import Ticker

    Ticker.objects.filter(symbol="AAPL").update(active_pos=0)
    response = staff_browser.post("/orders/new", {"instrument": "AAPL", "kind": "close"})
    assert response.status_code == 400
    assert "There is no open position to close or revert." in response.content.decode()


# --- the watchlist


def test_the_watchlist_shows_each_pairs_spread_against_its_average(staff_browser, book):
    for price in (1.0, 2.0, 3.0, 0.5):  # the last, 0.5, is the newest
        instruments.record_price(ticker="NMFC-0.75*ROIC", price=price)
    html = staff_browser.get("/watchlist", {"window": "10"}).content.decode()
    row = re.search(r"<tr>\s*<td><a[^>]*>NMFC-ROIC</a>.*?</tr>", html, re.S)[0]
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    assert cells[:6] == ["0.75", "0.5", "1.6250", "1.1087", "-1.01", "603"]
    assert cells[6] == "1.1250"  # a long, 1.125 below its average
    assert "Close</a>" in row and "Revert</a>" in row
    bad = staff_browser.get("/watchlist", {"window": "7"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
