"""Each watchdog condition fires exactly once and clears once, on a clock the test sets."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from safetynet.models import Alarm
from safetynet.watch import check_once
from signals.models import Signal
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def test_a_waiting_signal_is_reported_once_after_the_delay_and_cleared_once(settings):
    settings.ALERT_WAITING_AFTER = 300
    signal = make_signal(timestamp=T0)
    assert check_once(at(299)) is None
    raised = check_once(at(301))
    assert raised.title == "Pairs-API: 1 new problem(s), 0 cleared"
    assert f"#{signal.rowid} buy 603 NMFC-0.75*ROIC: not taken by the bridge" in raised.body
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
    assert f"#{refused.rowid} buy 100 AAPL: refused by the service's checks" in raised.body
    assert "(passive ticker)" in raised.body
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
    assert "(remained: 20)" in raised.body


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
