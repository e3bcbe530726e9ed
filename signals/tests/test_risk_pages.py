"""The risk gate in the console: a banner on every page while trading is halted, halt and
resume on the setup page, release and cancel on a held signal's page; staff only."""

import pytest

from instruments.tests.factories import TickerFactory
from signals import services
from signals.models import Signal
from signals.tests.factories import make_single

pytestmark = pytest.mark.django_db

PAGES = ["/dashboard", "/signals", "/positions", "/watchlist", "/setup", "/account"]


@pytest.fixture(autouse=True)
def registry():
    TickerFactory(symbol="AAPL", active=True)


def test_every_page_shows_the_halt_while_it_lasts(staff_browser):
    for page in PAGES:
        assert b"Trading is halted" not in staff_browser.get(page).content, page
    services.halt_trading(reason="runaway strategy")
    for page in PAGES:
        text = staff_browser.get(page).content.decode()
        assert "<strong>Trading is halted</strong>: runaway strategy" in text, page


def test_staff_halt_and_resume_from_the_setup_page(staff_browser):
    waiting = make_single()
    answer = staff_browser.post("/risk/halt", {"reason": "news at 14:30"}, follow=True)
    assert "Trading is halted; 1 waiting signal(s) held." in answer.content.decode()
    assert Signal.objects.get(pk=waiting.pk).order_status == "held"
    assert b"Resume trading" in staff_browser.get("/setup").content
    answer = staff_browser.post("/risk/resume", follow=True)
    assert "held signals stay held" in answer.content.decode()
    assert Signal.objects.get(pk=waiting.pk).order_status == "held"


def test_a_held_signal_is_released_or_canceled_from_its_page(staff_browser):
    held = make_single(order_status="held", error_msg="risk: order of 500 exceeds x")
    page = staff_browser.get(f"/signals/{held.rowid}").content.decode()
    assert "Held by the risk gate: risk: order of 500 exceeds x" in page
    assert "Release</button>" in page and "Cancel this signal</button>" in page
    answer = staff_browser.post(f"/signals/{held.rowid}/release", follow=True)
    assert f"Signal #{held.rowid} is waiting." in answer.content.decode()
    answer = staff_browser.post(f"/signals/{held.rowid}/cancel", follow=True)
    assert f"Signal #{held.rowid} is canceled." in answer.content.decode()
    again = staff_browser.post(f"/signals/{held.rowid}/release", follow=True)
    assert "is canceled, not held" in again.content.decode()


def test_a_trader_sees_the_halt_but_cannot_halt_release_or_cancel(client, trader):
    from pairsapi.testing import PASSWORD

    client.login(username="trader", password=PASSWORD)
    held = make_single(order_status="held", error_msg="risk: x")
    assert b"Release</button>" not in client.get(f"/signals/{held.rowid}").content
    for path in ("/risk/halt", "/risk/resume", f"/signals/{held.rowid}/release"):
        assert client.post(path).status_code == 302  # to the admin's login
    assert Signal.objects.get(pk=held.pk).order_status == "held"
    assert not services.selectors.risk_settings().halted
