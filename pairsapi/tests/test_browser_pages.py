"""The trader's pages in a real browser: headless Chromium (Debian's package) driven by
Playwright against gunicorn. Screenshots of every page land in artifacts/screenshots/."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import PASSWORD, ServerProcess, database_url_of, make_user
from pnl.models import AccountSnapshot
from signals.tests.factories import make_signal, make_single

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server, pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No background traffic: the machines have no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def seeded_server(chromium_path):
    make_user("trader")
    now = timezone.now().replace(microsecond=0)
    for i in range(25):
        make_single(
            timestamp=now - timedelta(days=2, minutes=i),
            order_status="filled",
            fill_price=400.0,
            slip=0.2,
        )
    # Seconds apart, so that all three are "today" whatever the time of day the suite runs.
    make_signal(
        timestamp=now - timedelta(seconds=3),
        order_action="buy",
        slip=0.04,
        fill_price=0.94,
        order_status="filled",
    )
    make_signal(
        timestamp=now - timedelta(seconds=2),
        order_action="sell",
        slip=-0.02,
        fill_price=0.96,
        order_status="part.filled",
        status_msg="remained(ROIC): 352",
    )
    make_signal(timestamp=now - timedelta(seconds=1), order_status="waiting")
    TickerFactory(symbol="NMFC", active_pos=603, active_pnl=12.5, active_cost=12.6)
    TickerFactory(symbol="ROIC", active_pos=-452, active_pnl=-3.25, active_cost=15.55)
    TickerFactory(symbol="AAPL", active=True, active_pos=10, active_pnl=4.5)
    PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    # Switched off as a single, but the broker still holds shares of it.
    TickerFactory(symbol="MSFT", active_pos=-25, active_pnl=-7.5, active_cost=410)
    for day, value in enumerate((60000, 61500, 61000, 62588)):
        AccountSnapshot.objects.create(
            timestamp=now - timedelta(days=4 - day), net_liquidation=value, available_funds=31000
        )
    AccountSnapshot.objects.create(timestamp=now)  # the bridge's empty snapshot
    with ServerProcess(
        database_url_of(connection), workers=2, env={"DISPLAY_TIME_ZONE": "UTC"}
    ) as server:
        yield server


def test_pages_as_a_person_sees_them(seeded_server, chromium_path):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = seeded_server.url
    today = timezone.now().date().isoformat()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            # Anonymous: five signals and a prompt to log in.
            page.goto(f"{url}/")
            assert page.url.endswith("/dashboard")
            assert page.locator("tr.signal-row").count() == 5
            assert page.get_by_text("to see more").is_visible()
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(246, 247, 250)"  # the stylesheet was served
            page.screenshot(path=SCREENSHOTS / "dashboard-anonymous.png", full_page=True)

            page.goto(f"{url}/login/")
            _both_widths(page, "login")
            page.fill("input[name=username]", "trader")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/dashboard")

            # Logged in: twenty, today's highlighted, statuses coloured.
            assert page.locator("tr.signal-row").count() == 20
            assert page.locator("tr.signal-row.today").count() == 3
            assert page.locator(".who").inner_text() == "trader"
            part = page.locator(".status-partial").first
            assert part.inner_text() == "part.filled"
            colour = part.evaluate("e => getComputedStyle(e).backgroundColor")
            assert colour == "rgb(255, 240, 194)"
            page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

            page.goto(f"{url}/list?ticker=NMFC-ROIC&start={today}&end={today}")
            assert page.locator("tr.signal-row").count() == 3
            assert page.locator("#avg-buy").inner_text() == "0.0400"
            assert page.locator("#avg-sell").inner_text() == "-0.0200"
            assert page.locator("#avg-all").inner_text() == "0.0100"
            chart = page.locator("svg.chart")
            assert chart.is_visible() and chart.locator("circle").count() == 2
            page.screenshot(path=SCREENSHOTS / "list.png", full_page=True)

            page.goto(f"{url}/positions")
            pairs = page.locator("#pairs").inner_text()
            assert "NMFC-ROIC" in pairs and "-452" in pairs and "12.5" in pairs
            assert "AAPL" in page.locator("#singles").inner_text()
            inactive = page.locator("#singles tr.inactive")
            assert inactive.count() == 1 and "MSFT" in inactive.inner_text()
            assert inactive.locator(".badge").inner_text() == "inactive"
            account = page.locator("#account").inner_text()
            assert "62,588" in account and "31,000" in account
            assert "Daily P&L\tunknown" in account and "\t-1" not in account
            chart = page.locator('svg.chart[aria-label="net liquidation"]')
            assert chart.is_visible() and chart.locator("circle").count() == 4
            assert page.locator('svg.chart[aria-label="drawdown"]').is_visible()
            page.screenshot(path=SCREENSHOTS / "positions.png", full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=SCREENSHOTS / "positions-phone.png", full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})

            page.click("text=Log out")
            page.wait_for_url(f"{url}/dashboard")
            assert page.locator("tr.signal-row").count() == 5
        finally:
            browser.close()
    for name in (
        "dashboard-anonymous",
        "login",
        "dashboard",
        "list",
        "positions",
        "positions-phone",
    ):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 5000


def test_every_page_and_the_admin_work_under_the_content_security_policy(
    seeded_server, chromium_path
):
    from playwright.sync_api import sync_playwright

    make_user("boss", staff=True)
    url = seeded_server.url
    refused = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text
                else None,
            )
            response = page.goto(f"{url}/admin/login/")
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.fill("input[name=username]", "boss")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{url}/admin/")
            for path in (
                "/admin/",
                "/admin/signals/signal/",
                "/admin/instruments/ticker/add/",
                "/admin/auth/user/add/",
                "/dashboard",
                "/positions",
                "/list?ticker=NMFC-ROIC",
                "/signals",
                "/signals/1",
                "/watchlist",
                "/orders/new?instrument=AAPL&kind=close",
                "/setup",
                "/account",
            ):
                page.goto(f"{url}{path}")
                # The console's pages keep their signal stream open: never network-idle.
                page.wait_for_load_state("load")
                page.wait_for_timeout(300)
            # The admin's own scripts ran: the "select all" box of a change list works.
            page.goto(f"{url}/admin/signals/signal/")
            page.click("#action-toggle")
            assert page.locator("input.action-select:checked").count() > 0
            # Swagger UI builds its page from scripts: the operations are listed.
            page.goto(f"{url}/v3/docs")
            page.wait_for_selector(".opblock", timeout=10_000)
            assert page.locator(".opblock").count() > 20
            page.screenshot(path=SCREENSHOTS / "api-docs.png")
        finally:
            browser.close()
    assert refused == []


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def _log_in(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/dashboard")


def _both_widths(page, name):
    """A screenshot at desktop width, then at a phone's 390 px (no sideways page scroll)."""
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(100)
    _no_sideways_scroll(page)
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_trading_day_in_the_console(seeded_server, chromium_path, tmp_path):
    """Staff follow signals arriving live, filter and export the log, read a signal's page,
    watch a spread and close a position by hand, at desktop and phone widths."""
    import csv

    import requests
    from playwright.sync_api import sync_playwright

    make_user("boss", staff=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = seeded_server.url
    for spread in (0.9, 1.1, 0.95, 1.3):
        answer = requests.post(
            f"{url}/v3/price",
            json={"passphrase": "webhook", "ticker": "NMFC-0.75*ROIC", "price": spread},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            _log_in(page, url, "boss")

            # Live: an alert sent to the webhook shows up without a reload.
            page.wait_for_selector("#live-indicator.live-on", timeout=10_000)
            assert page.locator("#live-indicator").inner_text() == "live"
            sent = requests.post(
                f"{url}/v3/webhook",
                json={
                    "passphrase": "webhook",
                    "ticker": "NASDAQ:AAPL",
                    "order_action": "buy",
                    "order_contracts": 7,
                    "order_price": 191.5,
                },
                timeout=10,
            )
            assert sent.status_code == 201, sent.text
            page.wait_for_selector("tr.signal-row.fresh", timeout=5_000)
            assert "191.5" in page.locator("tr.signal-row").first.inner_text()
            _both_widths(page, "dashboard-live")

            # The log, filtered as TradingView spells it, exported as CSV.
            page.goto(f"{url}/signals")
            page.fill("input[name=ticker]", "nasdaq:aapl")
            page.select_option("select[name=status]", "filled")
            page.click("text=Filter")
            page.wait_for_load_state("load")
            assert page.locator("tr.signal-row").count() == 25
            with page.expect_download() as download:
                page.click("a.export")
            saved = tmp_path / "signals.csv"
            download.value.save_as(saved)
            with saved.open() as file:
                rows = list(csv.DictReader(file))
            assert len(rows) == 25 and {r["ticker1"] for r in rows} == {"AAPL"}
            assert {r["order_status"] for r in rows} == {"filled"}
            _both_widths(page, "signals")

            # A signal's own page: the alert sent above, its message as sent, passphrase hidden.
            page.goto(f"{url}/signals")
            page.locator("tr.signal-row td.rowid a").first.click()
            page.wait_for_selector("h2:has-text('Legs')")
            assert "AAPL" in page.locator("table.legs").inner_text()
            message = page.locator("[data-field=alert_message]").inner_text()
            assert '"order_price": 191.5' in message and '"passphrase": "***"' in message
            _both_widths(page, "signal")

            # The watchlist: the spread against its average.
            page.goto(f"{url}/watchlist")
            row = page.locator("table.watchlist tbody tr").first.inner_text()
            assert "NMFC-ROIC" in row and "1.3" in row and "1.0625" in row
            _both_widths(page, "watchlist")

            # A manual close of the AAPL position, confirmed once, then seen in the log.
            page.goto(f"{url}/positions")
            page.locator("#singles tr", has_text="AAPL").get_by_role("link", name="Close").click()
            page.wait_for_selector("button.confirm")
            assert "Sell" in page.locator(".lede").inner_text()
            _both_widths(page, "order-confirm")
            page.click("button.confirm")
            page.wait_for_url(f"{url}/signals/*")
            assert "staff:boss" in page.locator(".lede").inner_text()
            assert "manual close" in page.content()
            page.goto(f"{url}/signals?source=manual")
            assert page.locator("tr.signal-row").count() == 1
            page.goto(f"{url}/positions")
            _both_widths(page, "positions-console")

            # Setup: a test alert through the real webhook, read back.
            page.goto(f"{url}/setup")
            assert "/v3/webhook" in page.locator("#webhook-url").inner_text()
            assert '"passphrase": "webhook"' in page.locator("#alert-message").inner_text()
            page.select_option("#test-alert select[name=ticker]", "AAPL")
            page.click("#test-alert button")
            page.wait_for_selector("#test-alert-result:has-text('Stored as #')", timeout=10_000)
            stored = page.locator("#test-alert-result").inner_text()
            assert "AAPL" in stored and "status canceled" in stored
            _both_widths(page, "setup")

            # Times in the reader's own zone, named.
            page.goto(f"{url}/account")
            page.select_option("select[name=time_zone]", "Asia/Tokyo")
            page.click("text=Save")
            page.wait_for_selector(".notice")
            _both_widths(page, "account")
            page.goto(f"{url}/signals")
            assert "Time (Asia/Tokyo)" in page.locator("table.signals thead").inner_text()
            page.goto(f"{url}/list?ticker=NMFC-ROIC")
            assert page.locator("#avg-all").is_visible()
            _both_widths(page, "list-console")
        finally:
            browser.close()


def test_the_guard_rails_in_the_console(seeded_server, chromium_path):
    """Staff set a limit through the API, see an oversized alert held, halt trading (a banner on
    every page), release and cancel held signals, and confirm a pair's close leg by leg, at
    desktop and phone widths."""
    import requests
    from playwright.sync_api import sync_playwright

    make_user("boss", staff=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = seeded_server.url
    token = requests.post(
        f"{url}/v3/login", json={"username": "boss", "password": PASSWORD}, timeout=10
    ).json()["access_token"]
    limits = {"instruments": {"AAPL": {"max_order_contracts": 100}}}
    answer = requests.put(
        f"{url}/v3/risk", json=limits, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    alert = {"passphrase": "webhook", "ticker": "NASDAQ:AAPL", "order_action": "buy"}
    held = requests.post(
        f"{url}/v3/webhook", json={**alert, "order_contracts": 100_000_000}, timeout=10
    )
    assert "held: risk: order of 100000000 exceeds max_order_contracts 100" in held.text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _log_in(page, url, "boss")

            # The held alert on its page, released no further: it is still too big.
            page.goto(f"{url}/signals?status=held")
            page.locator("tr.signal-row td.rowid a").first.click()
            page.wait_for_selector("text=Held by the risk gate")
            _both_widths(page, "signal-held")
            page.click("button:has-text('Release')")
            page.wait_for_selector(".messages")
            assert "is held." in page.locator(".messages").inner_text()

            # The kill switch from the setup page: a banner on every page until resumed.
            page.goto(f"{url}/setup#risk")
            page.fill("input[name=reason]", "news at 14:30")
            page.click("button:has-text('Halt all trading')")
            page.wait_for_selector(".halt-banner")
            assert "news at 14:30" in page.locator(".halt-banner").inner_text()
            _both_widths(page, "setup-halted")
            page.goto(f"{url}/dashboard")
            assert page.locator(".halt-banner").is_visible()
            _both_widths(page, "dashboard-halted")

            # A pair's close: each leg, its price and notional, and what the gate would say.
            page.goto(f"{url}/orders/new?instrument=NMFC-ROIC&kind=close")
            legs = page.locator("table.planned").inner_text()
            assert "NMFC" in legs and "ROIC" in legs and "603" in legs and "452" in legs
            assert "risk: trading halted (news at 14:30)" in page.content()
            _both_widths(page, "order-confirm-pair")

            # Flatten all: every position, of its exact size.
            page.goto(f"{url}/risk/flatten")
            table = page.locator("table.planned").inner_text()
            for symbol in ("AAPL", "MSFT", "NMFC", "ROIC"):
                assert symbol in table
            _both_widths(page, "flatten")

            page.goto(f"{url}/setup#risk")
            page.click("button:has-text('Resume trading')")
            page.wait_for_selector(".messages")
            assert page.locator(".halt-banner").count() == 0
        finally:
            browser.close()


def test_a_live_page_refused_a_stream_comes_back_by_itself(chromium_path):
    """A tab the worker had no stream place for (503) says so and keeps trying, then goes live
    and reads its page again, never left dark."""
    import requests
    from playwright.sync_api import sync_playwright

    make_user("boss", staff=True)
    TickerFactory(symbol="AAPL", active=True)
    # One place for a user's streams: a second tab of the same login is refused (503).
    env = {
        "HELD_REQUESTS_PER_WORKER": "3",
        "HELD_FOR_BRIDGE": "2",
        "HELD_PER_USER": "1",
        "STREAM_HEARTBEAT_SECONDS": "1",
    }
    with (
        ServerProcess(database_url_of(connection), workers=1, env=env) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            first = context.new_page()
            _log_in(first, server.url, "boss")
            first.wait_for_selector("#live-indicator.live-on", timeout=10_000)
            second = context.new_page()  # the user's one stream place is taken
            second.goto(f"{server.url}/dashboard")
            second.wait_for_selector("#live-indicator.live-off", timeout=10_000)
            assert second.locator("#live-indicator").inner_text() == "reconnecting"
            first.close()  # the place is given back
            second.wait_for_selector("#live-indicator.live-on", timeout=20_000)
            sent = requests.post(
                f"{server.url}/v3/webhook",
                json={
                    "passphrase": "webhook",
                    "ticker": "NASDAQ:AAPL",
                    "order_action": "buy",
                    "order_contracts": 3,
                    "order_price": 188.25,
                },
                timeout=10,
            )
            assert sent.status_code == 201
            second.wait_for_selector("tr.signal-row.fresh", timeout=10_000)
            assert "188.25" in second.locator("tr.signal-row").first.inner_text()
        finally:
            browser.close()
