import pytest
from django.test import Client

from instruments.models import Pair, Ticker
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_non_staff_cannot_reach_the_admin(trader):
    client = Client()
    client.login(username="trader", password=PASSWORD)
    assert client.get("/admin/instruments/ticker/").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/instruments/ticker/",
        "/admin/instruments/pair/",
        "/admin/instruments/ticker/?active__exact=1&q=A",
        "/admin/instruments/ticker/add/",
        "/admin/instruments/pair/add/",
        "/admin/auth/user/",
    ],
)
def test_admin_pages_load(staff_browser, path):
    TickerFactory(symbol="AAPL")
    PairFactory(ticker1="A", ticker2="B", hedge=1)
    assert staff_browser.get(path).status_code == 200


def test_bulk_activate_obeys_the_active_pair_rule(staff_browser):
    free = TickerFactory(symbol="FREE")
    leg = TickerFactory(symbol="LEG")
    PairFactory(ticker1="LEG", ticker2="X", hedge=1, status=True)
    response = staff_browser.post(
        "/admin/instruments/ticker/",
        {"action": "activate", "_selected_action": [free.pk, leg.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 ticker(s) activated." in html
    assert "Left passive, each is a leg of an active pair: LEG." in html
    assert Ticker.objects.get(symbol="FREE").active is True
    assert Ticker.objects.get(symbol="LEG").active is False
    staff_browser.post(
        "/admin/instruments/ticker/", {"action": "deactivate", "_selected_action": [free.pk]}
    )
    assert Ticker.objects.get(symbol="FREE").active is False


def ticker_form(**fields):
    base = {
        "symbol": "LEG",
        "sectype": "STK",
        "xch": "SMART",
        "prixch": "NYSE",
        "currency": "USD",
        "order_type": "RELATIVE",
        "active_pos": 0,
        "active_pnl": 0,
        "active_cost": 0,
    }
    return {**base, **fields}


def test_ticker_form_refuses_activation_of_a_leg_of_an_active_pair(staff_browser):
    leg = TickerFactory(symbol="LEG")
    PairFactory(ticker1="LEG", ticker2="X", hedge=1, status=True)
    response = staff_browser.post(
        f"/admin/instruments/ticker/{leg.pk}/change/", ticker_form(active="on")
    )
    assert response.status_code == 200
    assert "ticker is already active in a pair!" in response.content.decode()
    assert Ticker.objects.get(pk=leg.pk).active is False


def test_ticker_form_saves_through_the_service(staff_browser):
    response = staff_browser.post(
        "/admin/instruments/ticker/add/", ticker_form(symbol="NEW", active_pos=5)
    )
    assert response.status_code == 302
    assert Ticker.objects.get(symbol="NEW").active_pos == 5
    ticker = Ticker.objects.get(symbol="NEW")
    response = staff_browser.post(
        f"/admin/instruments/ticker/{ticker.pk}/change/",
        ticker_form(symbol="NEW", active="on", active_pnl=2.5),
    )
    assert response.status_code == 302
    ticker.refresh_from_db()
    assert ticker.active is True and ticker.active_pnl == 2.5


def test_pair_form_enforces_the_rule_and_edits_hedge(staff_browser):
    TickerFactory(symbol="MA", active=True)
    pair = PairFactory(ticker1="MA", ticker2="V", hedge=1.3)
    url = f"/admin/instruments/pair/{pair.pk}/change/"
    response = staff_browser.post(url, {"hedge": 1.4, "status": "on", "notes": ""})
    assert response.status_code == 200
    assert "one of the tickers is already active!" in response.content.decode()
    assert Pair.objects.get().status is False
    response = staff_browser.post(url, {"hedge": 1.4, "notes": "n"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.hedge, pair.notes) == (1.4, "n")


def test_pair_add_form_derives_the_name_and_refuses_a_dash(staff_browser):
    response = staff_browser.post(
        "/admin/instruments/pair/add/", {"ticker1": "KO", "ticker2": "PEP", "hedge": 0.5}
    )
    assert response.status_code == 302
    assert Pair.objects.get().name == "KO-PEP"
    response = staff_browser.post(
        "/admin/instruments/pair/add/", {"ticker1": "K-O", "ticker2": "PEP", "hedge": 0.5}
    )
    assert response.status_code == 200
    assert "problematic ticker!" in response.content.decode()


@pytest.mark.parametrize(
    "path, body",
    [
        ("/admin/instruments/pair/add/", {"ticker1": "AB/C", "ticker2": "DE", "hedge": 1}),
        ("/admin/instruments/ticker/add/", ticker_form(symbol="AB/C")),
    ],
)
def test_admin_forms_refuse_a_slash_in_a_symbol(staff_browser, path, body):
    response = staff_browser.post(path, body)
    assert response.status_code == 200
    assert "may not hold &#x27;/&#x27; or control characters." in response.content.decode()
    assert not Pair.objects.exists() and not Ticker.objects.exists()


def test_bulk_pair_activation_obeys_the_rule(staff_browser):
    TickerFactory(symbol="MA", active=True)
    blocked = PairFactory(ticker1="MA", ticker2="V", hedge=1)
    free = PairFactory(ticker1="KO", ticker2="PEP", hedge=1)
    response = staff_browser.post(
        "/admin/instruments/pair/",
        {"action": "activate", "_selected_action": [blocked.pk, free.pk]},
        follow=True,
    )
    assert "a leg is an active single: MA-V" in response.content.decode()
    assert Pair.objects.get(pk=free.pk).status is True
    assert Pair.objects.get(pk=blocked.pk).status is False
