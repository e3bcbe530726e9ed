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


def send_form(client, page, **extra):
    """Post the confirmation page's own form (its CSRF token and single-use order token)."""
    html = page.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[
        1
    ]
    return client.post(page.request["PATH_INFO"], {**fields, **extra})


def test_one_confirmation_makes_one_order_however_often_it_is_sent(staff_csrf, book):
    page = staff_csrf.get("/orders/new", {"instrument": "AAPL", "kind": "close"})
    first = send_form(staff_csrf, page)
    again = send_form(staff_csrf, page)  # a double click, or the browser sending it again
    signal = Signal.objects.get()
    assert first["Location"] == again["Location"] == f"/signals/{signal.rowid}"
    fresh = staff_csrf.get("/orders/new", {"instrument": "AAPL", "kind": "close"})
    send_form(staff_csrf, fresh)  # a new confirmation is a new order
    assert Signal.objects.count() == 2


@pytest.fixture
def stub_book():
    """A pair bought 100 then sold 50: leg 2 holds one share more than floor(50 x 0.75)."""
    TickerFactory(symbol="NMFC", active_pos=50)
    TickerFactory(symbol="ROIC", active_pos=-38)
    PairFactory(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("close", [("NMFC-0.75*ROIC", "sell", 50), ("ROIC", "buy", 1)]),
        ("revert", [("NMFC-0.75*ROIC", "sell", 100), ("ROIC", "buy", 1)]),
    ],
)
def test_a_pairs_close_and_revert_take_each_legs_actual_position(
    staff_csrf, stub_book, kind, expected
):
    page = staff_csrf.get("/orders/new", {"instrument": "NMFC-ROIC", "kind": kind})
    send_form(staff_csrf, page)
    made = [(s.ticker, s.order_action, s.order_contracts) for s in Signal.objects.order_by("rowid")]
    assert made == expected
    assert all(s.order_status == "waiting" for s in Signal.objects.all())  # the leg's rest too


def test_a_leg_left_alone_can_be_closed(staff_csrf, stub_book):
    instruments.record_ticker_position(symbol="NMFC", active_pos=0)
    instruments.record_ticker_position(symbol="ROIC", active_pos=-1)
    page = staff_csrf.get("/orders/new", {"instrument": "NMFC-ROIC", "kind": "close"})
    send_form(staff_csrf, page)
    signal = Signal.objects.get()
    assert (signal.ticker, signal.order_action, signal.order_contracts) == ("ROIC", "buy", 1)


def test_the_confirmation_shows_each_leg_its_price_notional_and_a_limit_it_breaks(
    staff_csrf, stub_book, admin_api
):
    for ticker, price in (("NMFC", 13.0), ("ROIC", 15.0)):
        instruments.record_price(ticker=ticker, price=price)
    admin_api.put(
        "/v3/risk", {"instruments": {"NMFC-ROIC": {"max_order_contracts": 40}}}, format="json"
    )
    page = staff_csrf.get("/orders/new", {"instrument": "NMFC-ROIC", "kind": "close"})
    cells = [unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", page.content.decode())]
    assert cells[1:6] == ["NMFC", "sell", "50", "13", "650.00"]
    assert cells[7:12] == ["ROIC", "buy", "37", "15", "555.00"]
    assert (
        "NMFC-0.75*ROIC would not go to the broker now: risk: order of 50 exceeds "
        "max_order_contracts 40" in unescape(page.content.decode())
    )


def test_flatten_all_closes_every_leg_exactly_past_a_halt(staff_csrf, stub_book, admin_api):
    from signals import services

    services.halt_trading(reason="stop")
    page = staff_csrf.get("/risk/flatten")
    assert "Close every position" in page.content.decode()
    send_form(staff_csrf, page)
    send_form(staff_csrf, page)  # sent twice: made once
    made = [
        (s.ticker, s.order_action, s.order_contracts, s.order_status)
        for s in Signal.objects.order_by("rowid")
    ]
    assert made == [("NMFC", "sell", 50, "waiting"), ("ROIC", "buy", 38, "waiting")]
    later = services.ingest_signal(
        ticker="NMFC", order_action="buy", order_contracts=1, bypass_ticker_status=True
    )[0]
    assert later.order_status == "held"  # the halt is lifted for flatten-all's orders alone
