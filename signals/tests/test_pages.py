import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from pairsapi.display import local_today
from pairsapi.testing import PASSWORD
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db


def rows(response):
    html = response.content.decode()
    return re.findall(r'<tr class="signal-row( today)?" data-rowid="\d+">', html)


def test_root_redirects_to_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard"


def test_dashboard_anonymous_sees_five_and_a_login_prompt(client):
    for _ in range(25):
        make_single()
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert len(rows(response)) == 5
    assert "Log in</a> to see more" in response.content.decode()


def test_dashboard_logged_in_sees_twenty(browser):
    for _ in range(25):
        make_single()
    response = browser.get("/dashboard")
    assert len(rows(response)) == 20
    assert "to see more" not in response.content.decode()


def test_dashboard_times_in_display_zone_with_age_and_today_highlight(client, settings):
    settings.DISPLAY_TIME_ZONE = "America/Los_Angeles"
    make_single(timestamp=datetime(2020, 1, 15, 20, 30, 0, tzinfo=UTC))
    recent = timezone.now().replace(microsecond=0) - timedelta(minutes=3)
    make_single(timestamp=recent)
    html = client.get("/dashboard").content.decode()
    assert "2020-01-15 12:30:00" in html  # 20:30 UTC is 12:30 in Los Angeles in winter
    assert "America/Los_Angeles" in html
    assert "3 min" in html
    # Three minutes ago is yesterday in the first three minutes of a Los Angeles day.
    recent_is_today = recent.astimezone(ZoneInfo("America/Los_Angeles")).date() == local_today()
    assert [bool(flag) for flag in rows(client.get("/dashboard"))] == [recent_is_today, False]


def test_dashboard_colours_statuses(client):
    make_single(order_status="filled")
    make_single(order_status="error")
    html = client.get("/dashboard").content.decode()
    assert 'class="status status-filled"' in html and 'class="status status-error"' in html


def test_a_missed_alert_is_marked_on_the_dashboard(client):
    make_single(order_status="filled", missed_alert="before: short 100; #4 left long 100")
    make_single(order_status="filled")
    html = client.get("/dashboard").content.decode()
    assert html.count(">missed alert</span>") == 1
    mark = "before: short 100; #4 left long 100"
    assert f'title="An alert before this one is missing: {mark}"' in html


def test_list_needs_login(client):
    response = client.get("/list")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_list_shows_one_pair_in_a_range_with_average_slips(browser, settings):
    settings.DISPLAY_TIME_ZONE = "UTC"
    day = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    make_signal(timestamp=day, order_action="buy", slip=0.04)
    make_signal(timestamp=day + timedelta(hours=1), order_action="buy", slip=0.02)
    make_signal(timestamp=day + timedelta(hours=2), order_action="sell", slip=-0.01)
    make_signal(timestamp=day - timedelta(days=2), slip=5)  # outside the range
    make_signal(timestamp=day, ticker1="OTHER", slip=7)  # another pair
    response = browser.get(
        "/list", {"ticker": "NMFC-ROIC", "start": "2024-03-05", "end": "2024-03-05"}
    )
    html = response.content.decode()
    assert len(rows(response)) == 3
    assert re.search(r'id="avg-buy">0\.0300<', html)
    assert re.search(r'id="avg-sell">-0\.0100<', html)
    assert re.search(r'id="avg-all">0\.0167<', html)
    assert '<svg class="chart"' in html and html.count("<circle") == 3


def test_list_defaults_to_today(browser):
    make_single()
    make_single(timestamp=timezone.now() - timedelta(days=3))
    response = browser.get("/list", {"ticker": "AAPL"})
    assert len(rows(response)) == 1


def test_list_bad_dates_are_reported_not_500(browser):
    response = browser.get("/list", {"ticker": "AAPL", "start": "2024-02-30"})
    assert response.status_code == 200
    assert "errors" in response.content.decode()
    response = browser.get("/list", {"ticker": "AAPL", "start": "2024-03-05", "end": "2024-03-01"})
    assert "end date is before the start date" in response.content.decode()


@pytest.mark.parametrize(
    "dates, message",
    [
        ({"end": "9999-12-31"}, "less than or equal to 2999-12-31"),
        ({"start": "0001-01-01", "end": "2024-01-01"}, "greater than or equal to 1970-01-01"),
    ],
)
def test_list_dates_off_the_calendar_are_a_form_error(browser, dates, message):
    response = browser.get("/list", {"ticker": "AAPL", **dates})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_login_and_logout_pages(client, trader):
    assert client.get("/login/").status_code == 200
    response = client.post(
        "/login/", {"username": "trader", "password": PASSWORD, "next": "/dashboard"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard"
    assert "trader" in client.get("/dashboard").content.decode()
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/list").status_code == 302


def test_a_long_range_on_the_slippage_page_lists_its_newest_rows_and_charts_a_bounded_line(
    browser, monkeypatch
):
    from signals import pages

    monkeypatch.setattr(pages, "LIST_ROWS", 10)
    monkeypatch.setattr(pages, "LIST_CHART_POINTS", 8)
    for n in range(30):
        make_single("AAPL", slip=n / 100, timestamp=timezone.now() - timedelta(hours=n))
    today = local_today().isoformat()
    response = browser.get("/list", {"ticker": "AAPL", "start": "2020-01-01", "end": today})
    html = response.content.decode()
    assert "30 of them have a slippage" in html
    assert len(rows(response)) == 10
    assert "The newest 10 are listed" in html and "/signals?ticker=AAPL" in html
    assert "Slippage over time (hourly averages)" in html
    assert html.count("<circle") == 8  # 30 hours thinned to 8 points
    assert "<title>slippage of AAPL</title>" in html
