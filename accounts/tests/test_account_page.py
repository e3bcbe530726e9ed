"""A reader's own time zone: chosen once, used and named on every page, never by the API."""

from datetime import UTC, datetime

import pytest

from signals.tests.factories import make_single

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_a_chosen_zone_is_used_and_named_on_the_pages(browser, client, settings):
    settings.DISPLAY_TIME_ZONE = "America/Los_Angeles"
    signal = make_single(timestamp=MOMENT)
    page = browser.get("/account")
    assert 'value="America/Los_Angeles" selected' in page.content.decode()
    saved = browser.post("/account", {"time_zone": "Asia/Tokyo"})
    assert saved.status_code == 302
    assert (
        "Saved: pages now show times in Asia/Tokyo."
        in browser.get(saved["Location"]).content.decode()
    )
    for path in ("/dashboard", "/signals", f"/signals/{signal.rowid}"):
        html = browser.get(path).content.decode()
        assert "2026-07-01 21:00:00" in html and "Asia/Tokyo" in html, path
    # Someone else, and the API, are not moved.
    assert "2026-07-01 05:00:00" in client.get("/dashboard").content.decode()
    api = client.get(f"/v3/signal/{signal.rowid}").json()
    assert api["timestamp"] == "2026-07-01 12:00:00"


def test_positions_name_the_zone_of_the_account_figures(browser):
    from pnl.models import AccountSnapshot

    AccountSnapshot.objects.create(timestamp=MOMENT, net_liquidation=1000)
    browser.post("/account", {"time_zone": "Europe/Paris"})
    html = browser.get("/positions").content.decode()
    assert "2026-07-01 14:00 (Europe/Paris)" in html


def test_a_zone_that_is_not_one_is_refused_in_words(browser):
    response = browser.post("/account", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Select a valid choice. Mars/Olympus is not one of the available choices." in (
        response.content.decode()
    )
    assert browser.get("/account").status_code == 200


def test_the_account_page_needs_a_login(client):
    assert client.get("/account").status_code == 302
