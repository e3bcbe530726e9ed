"""Each watchdog condition fires exactly once and clears once, on a clock the test sets."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pairsapi.testing import V3Client
from safetynet.models import Alarm
from safetynet.watch import check_once
from signals import services
from signals.models import RiskSettings, Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _bridge_in_touch(settings):
    """The bridge's silence is its own condition; the tests of the others leave it out."""
    settings.ALERT_BRIDGE_SILENT_AFTER = 10**9


@pytest.fixture(autouse=True)
def _signals_never_expire():
    """Expiry is its own condition (its test sets max_signal_age back); the tests of the others
    wait longer than it."""
    RiskSettings.objects.update_or_create(id=1, defaults={"max_signal_age": 10**6})


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def test_a_waiting_signal_is_reported_once_after_the_delay_and_cleared_once(settings):
    settings.ALERT_WAITING_AFTER = 300
    signal = make_signal(timestamp=T0)
    assert check_once(at(299)) is None
    raised = check_once(at(301))
    assert raised.title == "Pairs-API: 1 new problem(s), 0 cleared"
    assert f'#{signal.rowid} buy 603 "NMFC-0.75*ROIC": not taken by the bridge' in raised.body
    assert f"/admin/signals/signal/{signal.rowid}/change/" in raised.body
    assert check_once(at(400)) is None  # never twice
    Signal.objects.filter(pk=signal.pk).update(order_status="filled")
    cleared = check_once(at(500))
    assert cleared.title == "Pairs-API: 0 new problem(s), 1 cleared"
    assert cleared.body.startswith(f"cleared: #{signal.rowid}")
    assert check_once(at(600)) is None


def test_a_rerouted_signal_is_waiting_too(settings):
    settings.ALERT_WAITING_AFTER = 60
    make_single(timestamp=T0, order_status="rerouted")
    assert "not taken by the bridge" in check_once(at(61)).body


def test_a_signal_refused_by_the_checks_is_reported_at_once(settings):
    refused = make_single(timestamp=T0, order_status="canceled", status_msg="passive ticker")
    make_single(timestamp=T0, order_status="canceled", status_msg="insufficient funds")
    raised = check_once(at(1))
    assert f'#{refused.rowid} buy 100 "AAPL": refused by the service\'s checks' in raised.body
    assert '("passive ticker")' in raised.body
    assert raised.body.count("\n") == 0  # the bridge's own cancel is not the service's refusal
    assert check_once(at(2)) is None


def test_a_refusal_leaving_the_look_back_says_nothing_but_a_fixed_one_clears():
    stale = make_single(timestamp=T0, order_status="error", status_msg="unknown ticker")
    fixed = make_single(timestamp=T0, order_status="canceled", status_msg="passive ticker")
    check_once(at(1))
    Signal.objects.filter(pk=fixed.pk).update(order_status="filled", status_msg="")
    cleared = check_once(at(60))
    assert cleared.body.startswith(f"cleared: #{fixed.rowid}")
    # A day on, the stale refusal is out of the look-back: closed without a word.
    assert check_once(at(2 * 24 * 3600)) is None
    assert Alarm.objects.get(signal_rowid=stale.rowid).cleared_at is not None


def test_an_unfilled_order_is_reported_after_its_delay(settings):
    settings.ALERT_UNFILLED_AFTER = 900
    placed = make_single(timestamp=T0, order_status="created")
    part = make_single(timestamp=T0, order_status="part.filled", status_msg="remained: 20")
    assert check_once(at(899)) is None
    raised = check_once(at(901))
    assert raised.title == "Pairs-API: 2 new problem(s), 0 cleared"
    assert f"#{placed.rowid}" in raised.body and f"#{part.rowid}" in raised.body
    assert '("remained: 20")' in raised.body


def test_what_one_check_finds_goes_out_as_one_message(settings):
    settings.ALERT_WAITING_AFTER = 300
    signals = [make_signal(timestamp=T0) for _ in range(5)]
    raised = check_once(at(301))
    assert raised.body.count("not taken by the bridge") == 5
    assert Alarm.objects.filter(cleared_at__isnull=True).count() == 5
    Signal.objects.filter(pk__in=[s.pk for s in signals]).delete()
    cleared = check_once(at(302))
    assert cleared.body.count("deleted") == 5


def test_the_watchdog_command_checks_and_notifies(settings, capsys):
    settings.ALERT_WAITING_AFTER = 0
    settings.NOTIFY_URLS, settings.NOTIFY_EMAILS = [], ["ops@example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_signal(timestamp=timezone.now() - timedelta(minutes=1))
    call_command("watchdog", "--once")

    assert mail.outbox[0].subject == "Pairs-API: 1 new problem(s), 0 cleared"
    assert "not taken by the bridge" in mail.outbox[0].body


def contact(seconds, address="10.0.0.5", route="GET /v3/signals/status/waiting"):
    from safetynet.services import record_bridge_contact

    record_bridge_contact(address=address, route=route, at=at(seconds))


def test_a_silent_bridge_is_reported_once_while_signals_wait_and_cleared_when_it_calls(settings):
    settings.ALERT_BRIDGE_SILENT_AFTER = 120
    settings.ALERT_WAITING_AFTER = 10_000  # only the bridge's silence is under test
    contact(0)
    assert check_once(at(500)) is None  # silent, but nothing waits: nothing to say
    waiting = make_single(timestamp=at(510))
    raised = check_once(at(511))
    assert raised.title == "Pairs-API: 1 new problem(s), 0 cleared"
    assert raised.body.startswith(
        "the bridge is silent: last seen 2026-11-25 14:00:00 UTC from 10.0.0.5 "
        "(GET /v3/signals/status/waiting); signals waiting since 2026-11-25 14:08:30 UTC, "
        f'the oldest #{waiting.rowid} buy 100 "AAPL"'
    )
    assert check_once(at(600)) is None  # never twice
    contact(610, route="PUT /v3/signal/updateorder")
    cleared = check_once(at(611))
    assert cleared.title == "Pairs-API: 0 new problem(s), 1 cleared"
    assert cleared.body == (
        "cleared: the bridge is silent since 2026-11-25 14:00:00 UTC; "
        "seen 2026-11-25 14:10:10 UTC from 10.0.0.5"
    )
    assert check_once(at(700)) is None


def test_a_bridge_never_seen_is_silent_from_the_first_waiting_signal(settings):
    settings.ALERT_BRIDGE_SILENT_AFTER = 120
    settings.ALERT_WAITING_AFTER = 10_000
    waiting = make_single(timestamp=T0)
    assert check_once(at(120)) is None
    raised = check_once(at(121))
    assert "the bridge is silent: never seen; signals waiting since 2026-11-25 14:00:00" in (
        raised.body
    )
    Signal.objects.filter(pk=waiting.pk).update(order_status="canceled")
    assert check_once(at(122)).body == (
        "cleared: the bridge is silent since 2026-11-25 14:00:00 UTC; nothing is waiting any more"
    )


def test_a_recent_contact_keeps_the_bridge_from_being_silent(settings):
    settings.ALERT_BRIDGE_SILENT_AFTER = 120
    settings.ALERT_WAITING_AFTER = 10_000
    make_single(timestamp=T0)
    contact(0)
    assert check_once(at(119)) is None
    assert "the bridge is silent" in check_once(at(121)).body


def alert_signal(pre, after, symbol="AAPL", **fields):
    return make_single(
        symbol,
        pre_mar_pos=pre[0],
        pre_mar_pos_size=pre[1],
        mar_pos=after[0],
        mar_pos_size=after[1],
        timestamp=fields.pop("timestamp", T0),
        order_status="filled",
        **fields,
    )


def test_a_missed_alert_marks_the_signal_and_is_said_once():
    first = alert_signal(("flat", 0), ("long", 100))
    lost_after = alert_signal(("short", 100), ("flat", 0))  # the long was closed and reversed
    raised = check_once(at(60))
    assert raised.title == "Pairs-API: 1 new problem(s), 0 cleared"
    assert raised.body.startswith(
        f'#{lost_after.rowid} buy 100 "AAPL": an alert before it is missing '
        f'("before: short 100; #{first.rowid} left long 100")'
    )
    # The mark is on the signal, as the API returns it.
    api = V3Client()
    mark = f"before: short 100; #{first.rowid} left long 100"
    assert api.get(f"/v3/signal/{lost_after.rowid}").json()["missed_alert"] == mark
    assert api.get(f"/v3/signal/{first.rowid}").json()["missed_alert"] is None
    assert check_once(at(120)) is None  # said once; the mark stays
    follows = alert_signal(("flat", 0), ("long", 50))
    assert check_once(at(180)) is None
    follows.refresh_from_db()
    assert follows.missed_alert is None


def test_alerts_are_compared_per_ticker_and_pair_and_case_blind():
    alert_signal(("flat", 0), ("long", 100))
    alert_signal(("flat", 0), ("short", 10), symbol="MSFT")  # another ticker's first alert
    alert_signal(("Long", 100), ("flat", 0))  # TradingView's case varies
    make_signal(
        pre_mar_pos="flat", pre_mar_pos_size=0, mar_pos="long", mar_pos_size=603, timestamp=T0
    )
    make_single(timestamp=T0, order_status="filled")  # a hand-made signal carries no positions
    alert_signal(("flat", 0), ("long", 1))
    assert check_once(at(60)) is None
    assert not Signal.objects.exclude(missed_alert=None).exists()


def test_an_alert_just_stored_waits_for_the_next_check():
    alert_signal(("flat", 0), ("long", 100))
    late = alert_signal(("flat", 0), ("long", 100), timestamp=at(59))
    assert check_once(at(60)) is None  # stored a second ago: a lower rowid may be committing
    body = check_once(at(62)).body
    assert f'#{late.rowid} buy 100 "AAPL": an alert before it is missing' in body


def test_a_first_watchdog_compares_the_last_day_not_the_whole_history():
    alert_signal(("flat", 0), ("long", 100), timestamp=at(-3 * 24 * 3600))
    old = alert_signal(("short", 5), ("flat", 0), timestamp=at(-2 * 24 * 3600))
    recent = alert_signal(("short", 5), ("flat", 0), timestamp=at(-60))
    body = check_once(at(0)).body
    assert f'#{recent.rowid} buy 100 "AAPL": an alert before it is missing' in body
    assert f"#{old.rowid} buy" not in body and body.count("an alert before it is missing") == 1


def test_each_watchdog_check_is_recorded_for_the_setup_page():
    from django.utils import timezone

    from safetynet.models import WatchdogRun

    before = timezone.now()
    call_command("watchdog", "--once")
    run = WatchdogRun.objects.get()
    assert run.checked_at >= before and run.open_alarms == 0
    call_command("watchdog", "--once")
    assert WatchdogRun.objects.count() == 1  # one row, moved on


def test_a_signal_waiting_past_max_signal_age_expires_and_is_said_once(settings):
    RiskSettings.objects.filter(id=1).update(max_signal_age=120)  # the default
    settings.ALERT_WAITING_AFTER = 60
    signal = make_single(timestamp=T0)
    assert "not taken by the bridge" in check_once(at(61)).body
    told = check_once(at(121))
    assert told.title == "Pairs-API: 1 new problem(s), 1 cleared"
    assert f'#{signal.rowid} buy 100 "AAPL": expired before any bridge took it' in told.body
    assert '("expired: waited 121 s for a bridge (max_signal_age 120 s)")' in told.body
    assert Signal.objects.get(pk=signal.pk).order_status == "expired"
    assert check_once(at(200)) is None
    assert check_once(at(2 * 24 * 3600)) is None  # out of the look-back: closed without a word


def test_a_held_signal_is_said_once_and_cleared_when_released(settings):
    signal = make_single(
        timestamp=T0,
        order_status="held",
        error_msg="risk: order of 500 exceeds max_order_contracts 100",
    )
    raised = check_once(at(1))
    assert f'#{signal.rowid} buy 100 "AAPL": held by the risk gate' in raised.body
    assert '("risk: order of 500 exceeds max_order_contracts 100")' in raised.body
    assert check_once(at(2)) is None
    services.cancel_signal(rowid=signal.rowid)
    assert check_once(at(3)).body.startswith(f"cleared: #{signal.rowid}")


def test_a_halt_is_said_once_and_so_is_resuming():
    services.halt_trading(reason="daily loss")
    raised = check_once(at(1))
    assert raised.body == "trading is halted: daily loss"
    assert check_once(at(2)) is None
    services.resume_trading()
    cleared = check_once(at(3))
    assert cleared.body == f"cleared: trading halted since {at(1):%Y-%m-%d %H:%M:%S} UTC"


def test_what_others_wrote_is_quoted_on_one_line_in_a_notification(settings):
    settings.ALERT_WAITING_AFTER = 60
    forged = "AAPL\ncleared: all [ok](http://e)"  # within a ticker's 40 characters
    signal = make_single(forged, timestamp=T0)
    body = check_once(at(61)).body
    assert body.count("\n") == 0  # one line per problem: no forged line
    assert f'#{signal.rowid} buy 100 "AAPL cleared: all [ok](http://e)"' in body
