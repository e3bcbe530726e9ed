"""The console's signal log: filters as the webhook reads tickers, keyset pages, the CSV export,
and bad filters answered in words."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from instruments.tests.factories import TickerFactory
from signals.models import Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    """The rowids listed, in the page's order."""
    assert response.status_code == 200, response.content[:500]
    return [
        int(n)
        for n in re.findall(
            r'<td class="rowid"><a href="/signals/\d+">(\d+)', response.content.decode()
        )
    ]


def link(response, rel):
    match = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', response.content.decode())
    return match and match[1].replace("&amp;", "&")


@pytest.fixture
def registry():
    TickerFactory(symbol="AAPL", active=True)
    TickerFactory(symbol="BF A", active=True)
    TickerFactory(symbol="EUR.USD", sectype="CASH", active=True)


def test_the_log_needs_a_login(client):
    response = client.get("/signals")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("AAPL", "aapl"),
        ("nasdaq:aapl", "aapl"),
        ("NMFC-0.75*NASDAQ:ROIC", "pair"),
        ("nmfc-roic", "pair"),
        ("bf.a", "bf"),
        ("NYSE:BF.A", "bf"),
        ("eurusd", "eur"),
        ("FX:EURUSD", "eur"),
    ],
)
def test_a_ticker_filter_reads_tradingview_spellings_whatever_their_case(
    browser, registry, typed, expected
):
    rowids = {
        "aapl": make_single("AAPL").rowid,
        "pair": make_signal().rowid,
        "bf": make_single("BF A").rowid,
        "eur": make_single("EUR.USD").rowid,
    }
    make_single("MSFT")
    assert shown(browser.get("/signals", {"ticker": typed})) == [rowids[expected]]


def test_a_ticker_not_registered_is_found_as_written(browser):
    sent = make_single("ZZZ")
    assert shown(browser.get("/signals", {"ticker": "zzz"})) == [sent.rowid]


def test_status_action_source_and_dates_filter_together(browser, settings):
    settings.DISPLAY_TIME_ZONE = "America/New_York"
    day = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
    waiting = make_single(timestamp=day, order_status="waiting")
    rerouted = make_single(timestamp=day, order_status="rerouted")
    make_single(timestamp=day, order_status="filled")
    sell = make_single(timestamp=day, order_status="waiting", order_action="sell")
    make_single(timestamp=day - timedelta(days=1), order_status="waiting")
    # 03:00 UTC on the 3rd is still the 2nd in New York.
    late = make_single(timestamp=datetime(2026, 3, 3, 3, 0, tzinfo=UTC), order_status="waiting")
    manual = make_single(timestamp=day, order_status="waiting")
    Signal.objects.filter(rowid=manual.rowid).update(created_by="staff:boss")
    Signal.objects.exclude(rowid=manual.rowid).update(created_by="passphrase")
    query = {"status": "waiting", "start": "2026-03-02", "end": "2026-03-02"}
    assert shown(browser.get("/signals", query)) == [
        late.rowid,  # the newest: in time order, not in the order stored
        manual.rowid,
        sell.rowid,
        rerouted.rowid,
        waiting.rowid,
    ]
    assert shown(browser.get("/signals", {**query, "action": "sell"})) == [sell.rowid]
    assert shown(browser.get("/signals", {**query, "source": "manual"})) == [manual.rowid]
    assert manual.rowid not in shown(browser.get("/signals", {**query, "source": "alert"}))
    assert shown(browser.get("/signals", {**query, "source": "api"})) == []


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"ticker": "LNT*2-FTS"}, "is not a ticker or a pair"),
        ({"ticker": "A-B-C"}, "is not a ticker or a pair"),
        ({"start": "2026-03-05", "end": "2026-03-01"}, "The end date is before the start date."),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"status": "lost"}, "Select a valid choice."),
        ({"before": "x"}, "Enter a whole number."),
        ({"start": "0001-01-01"}, "greater than or equal to"),
    ],
)
def test_bad_filters_are_answered_in_words_with_the_entered_values_kept(browser, query, words):
    response = browser.get("/signals", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    for value in query.values():
        if not value.startswith("0001"):
            assert value.replace(">", "&gt;") in html


def test_pages_go_back_in_time_by_keyset_and_return(browser):
    rowids = [make_single().rowid for _ in range(120)][::-1]  # newest first
    first = browser.get("/signals")
    assert shown(first) == rowids[:50]
    assert link(first, "prev") is None
    second = browser.get("/signals?" + link(first, "next"))
    assert shown(second) == rowids[50:100]
    make_single()  # a new alert does not shift the pages being read
    third = browser.get("/signals?" + link(second, "next"))
    assert shown(third) == rowids[100:]
    assert link(third, "next") is None
    back = browser.get("/signals?" + link(third, "prev"))
    assert shown(back) == rowids[50:100]


def test_rows_are_in_time_order_whatever_order_they_were_stored_in(browser):
    now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    # Stored newest first (an import of an old history): times run against the row ids.
    stored = [make_single(timestamp=now - timedelta(minutes=n)).rowid for n in range(75)]
    first = browser.get("/signals")
    assert shown(first) == stored[:50]
    second = browser.get("/signals?" + link(first, "next"))
    assert shown(second) == stored[50:]
    assert shown(browser.get("/signals?" + link(second, "prev"))) == stored[:50]


def test_a_page_whose_first_signal_was_deleted_says_so(browser):
    rowids = [make_single().rowid for _ in range(60)]
    first = browser.get("/signals")
    Signal.objects.filter(rowid=rowids[10]).delete()  # the row the next page starts after
    gone = browser.get("/signals?" + link(first, "next"))
    assert gone.status_code == 404
    assert "start from the newest" in gone.content.decode()


def test_filters_survive_paging(browser):
    for _ in range(60):
        make_single("AAPL")
        make_single("MSFT")
    first = browser.get("/signals", {"ticker": "aapl"})
    assert "ticker=aapl" in link(first, "next")
    second = browser.get("/signals?" + link(first, "next"))
    assert len(shown(second)) == 10
    assert {s.ticker for s in Signal.objects.filter(rowid__in=shown(second))} == {"AAPL"}


def test_a_ticker_links_to_its_own_log(browser):
    make_signal()
    make_single("BF A")
    html = browser.get("/signals").content.decode()
    assert 'href="/signals?ticker=NMFC-ROIC"' in html
    assert 'href="/signals?ticker=BF%20A"' in html


def test_the_csv_export_has_the_filtered_rows_with_the_apis_fields(browser, settings):
    settings.DISPLAY_TIME_ZONE = "UTC"
    wanted = make_single("AAPL", order_status="filled", fill_price=190.5, slip=0.02)
    make_single("MSFT", order_status="filled")
    make_single("AAPL", order_status="waiting")
    response = browser.get("/signals.csv", {"ticker": "nasdaq:aapl", "status": "filled"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="signals-')
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["rowid"] for row in table] == [str(wanted.rowid)]
    row = table[0]
    assert (row["ticker"], row["order_status"], row["fill_price"], row["slip"]) == (
        "AAPL",
        "filled",
        "190.5",
        "0.02",
    )
    assert "local_time (UTC)" in row and "created_by" in row


def test_an_empty_export_still_has_its_header_and_a_bad_one_is_a_json_400(browser):
    response = browser.get("/signals.csv", {"ticker": "AAPL"})
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("rowid,timestamp,ticker,")
    assert text.count("\n") == 1
    bad = browser.get("/signals.csv", {"ticker": "A*2-B"})
    assert bad.status_code == 400
    assert "ticker" in bad.json()["message"]


# --- one signal's page


def test_a_signals_page_shows_both_legs_its_history_and_its_notifications(browser):
    from django.utils import timezone

    from pairsapi.actors import acting_as
    from safetynet.models import Alarm

    signal = make_signal(order_contracts=603, hedge_param=0.75, missed_alert="before: flat 0")
    with acting_as("passphrase"):
        Signal.objects.filter(rowid=signal.rowid).update(
            order_status="part.filled",
            order_id1=101,
            order_id2=102,
            filled_qty1=603,
            price1=10.1,
            filled_qty2=300,
            price2=12.0,
            status_msg="remained(ROIC): 152",
        )
    now = timezone.now()
    Alarm.objects.create(
        kind="unfilled", signal_rowid=signal.rowid, since=now, raised_at=now, cleared_at=now
    )
    html = browser.get(f"/signals/{signal.rowid}").content.decode()
    legs = re.findall(r"<tr>\s*<td>(\d)</td><td>(\w+)</td>\s*<td[^>]*>(\w+)</td>", html)
    assert legs == [("1", "NMFC", "buy"), ("2", "ROIC", "sell")]
    assert ">452<" in html  # leg 2's target, floor(603 × 0.75)
    assert ">152<" in html  # what leg 2 still lacks
    assert "remained(ROIC): 152" in html
    assert "An alert before this one is missing: before: flat 0" in html
    assert "placed but not filled: raised" in html
    assert "passphrase" in html and "<code>order_status</code>: waiting → part.filled" in html
    assert "&quot;order_id2&quot;: 102" in html  # every field, as the API returns it


def test_a_signals_page_shows_the_alert_message_as_sent_without_the_passphrase(browser, settings):
    from django.test import Client

    settings.WEBHOOK_PASSPHRASE = "hook-secret-7"
    sent = (
        '{"passphrase": "hook-secret-7",\n  "ticker": "NASDAQ:AAPL", "order_action": "buy",'
        ' "order_contracts": 5, "order_comment": "bar close <5m>", "strategy": "rsi-2"}'
    )
    answer = Client().post("/v3/webhook", sent, content_type="text/plain")
    assert answer.status_code == 201
    html = browser.get(f"/signals/{Signal.objects.get().rowid}").content.decode()
    assert "hook-secret-7" not in html
    shown = re.search(r'<pre class="copy" data-field="alert_message">(.*?)</pre>', html, re.S)
    # As typed, with its line break, its key the service does not read, and escaped for HTML.
    assert shown and shown[1] == (
        "{&quot;passphrase&quot;: &quot;***&quot;,\n  &quot;ticker&quot;: &quot;NASDAQ:AAPL&quot;, "
        "&quot;order_action&quot;: &quot;buy&quot;, &quot;order_contracts&quot;: 5, "
        "&quot;order_comment&quot;: &quot;bar close &lt;5m&gt;&quot;, "
        "&quot;strategy&quot;: &quot;rsi-2&quot;}"
    )


def test_a_signal_no_alert_made_says_it_has_no_alert_message(browser):
    html = browser.get(f"/signals/{make_signal(created_by='staff:admin').rowid}").content
    assert b"Made by staff:admin, not by an alert: there is no alert message." in html
    older = make_signal(created_by="passphrase")  # stored before messages were kept
    html = browser.get(f"/signals/{older.rowid}").content
    assert b"Stored before this service kept alert messages." in html


def test_a_missing_signal_is_a_404(browser):
    assert browser.get("/signals/999999").status_code == 404


# --- live updates


def test_live_parts_come_alone_when_the_page_asks_for_them(browser):
    make_single("AAPL")
    part = browser.get("/dashboard", {"fragment": "signals"}).content.decode()
    assert part.lstrip().startswith("<table") and "<html" not in part
    whole = browser.get("/dashboard").content.decode()
    assert 'data-live="signals"' in whole and 'id="live-indicator"' in whole
    assert browser.get("/signals", {"fragment": "signals", "ticker": "aapl"}).status_code == 200


def test_older_log_pages_keep_still(browser):
    for _ in range(60):
        make_single()
    first = browser.get("/signals")
    assert 'data-live="signals"' in first.content.decode()
    older = browser.get("/signals?" + link(first, "next"))
    assert 'data-live="signals"' not in older.content.decode()


def test_the_pages_stream_needs_a_login_and_says_which_signal_changed(client, browser):
    refused = client.get("/live/signals")
    assert refused.status_code == 401
    assert refused.json() == {"message": "log in to follow the signals."}
    response = browser.get("/live/signals")
    assert response["Content-Type"].startswith("text/event-stream")
    events = iter(response.streaming_content)
    assert b"retry:" in next(events)
    sent = make_single()
    arrived = next(events).decode()
    assert "event: signal" in arrived
    assert f'"rowid":{sent.rowid}' in arrived and '"order_status":"waiting"' in arrived
    assert "order_price" not in arrived  # the page reads the rest itself
    response.close()


def test_the_pages_stream_is_refused_in_words_when_the_worker_holds_its_most(browser, settings):
    settings.HELD_REQUESTS_PER_WORKER = 0
    response = browser.get("/live/signals")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"message": "too many open streams; try again shortly."}


def test_cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text(browser):
    for text in ('=HYPERLINK("http://evil","x")', "@SUM(1+1)", "=1+1", "+1", "-3", "\tx"):
        make_single("AAPL", order_status="error", error_msg=text, slip=-0.5)
    response = browser.get("/signals.csv", {"ticker": "AAPL"})
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["error_msg"] for row in table) == sorted(
        ['\'=HYPERLINK("http://evil","x")', "'@SUM(1+1)", "'=1+1", "'+1", "'-3", "'\tx"]
    )
    assert {row["slip"] for row in table} == {"-0.5"}  # a number stays a number
