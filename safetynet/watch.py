"""What the watchdog looks for in each check, and the one message a check sends.

Conditions, each on one signal:
- ``waiting``: still waiting (or rerouted) ALERT_WAITING_AFTER seconds after it arrived: the
  bridge has not taken it;
- ``refused``: stored as error or canceled by the service's own checks (unknown, passive, wrong
  hedge, problematic), in the last day;
- ``unfilled``: created or part filled ALERT_UNFILLED_AFTER seconds after it arrived.

An alarm is raised once per condition and signal, and cleared once when the condition no longer
holds; everything one check raises or clears goes out as one notification.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from signals.checks import refused_by_checks
from signals.models import Signal
from signals.selectors import (
    refused_by_checks_since,
    unfilled_since_before,
    waiting_since_before,
)

from .models import Alarm
from .notify import Notification

# Refusals older than this are history, not news.
REFUSALS_LOOKED_BACK = timedelta(days=1)
DESCRIPTIONS = {
    "waiting": "not taken by the bridge",
    "refused": "refused by the service's checks",
    "unfilled": "placed but not filled",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    signal: Signal


def findings(now: datetime) -> dict[tuple[str, int], Finding]:
    waiting = waiting_since_before(now - timedelta(seconds=settings.ALERT_WAITING_AFTER))
    unfilled = unfilled_since_before(now - timedelta(seconds=settings.ALERT_UNFILLED_AFTER))
    refused = refused_by_checks_since(now - REFUSALS_LOOKED_BACK)
    found = {}
    for kind, signals in (("waiting", waiting), ("unfilled", unfilled), ("refused", refused)):
        for signal in signals:
            found[(kind, signal.rowid)] = Finding(kind, signal)
    return found


def _line(kind: str, signal: Signal, since: datetime) -> str:
    link = f"{settings.PUBLIC_URL.rstrip('/')}/admin/signals/signal/{signal.rowid}/change/"
    what = f"{signal.order_action} {signal.order_contracts} {signal.ticker}"
    status = f"{signal.order_status}" + (f" ({signal.status_msg})" if signal.status_msg else "")
    return (
        f"#{signal.rowid} {what}: {DESCRIPTIONS[kind]} since {since:%Y-%m-%d %H:%M:%S} UTC, "
        f"{status} - {link}"
    )


@transaction.atomic
def check_once(now: datetime) -> Notification | None:
    """Raise and clear alarms against what holds at ``now``; the notification to send, if any."""
    found = findings(now)
    open_alarms = {
        (a.kind, a.signal_rowid): a
        for a in Alarm.objects.select_for_update().filter(cleared_at__isnull=True)
    }
    raised, cleared = [], []
    for key, finding in found.items():
        if key not in open_alarms:
            since = finding.signal.timestamp
            Alarm.objects.create(
                kind=finding.kind, signal_rowid=finding.signal.rowid, since=since, raised_at=now
            )
            raised.append(_line(finding.kind, finding.signal, since))
    gone = [alarm for key, alarm in open_alarms.items() if key not in found]
    signals = Signal.objects.in_bulk([alarm.signal_rowid for alarm in gone])
    for alarm in gone:
        alarm.cleared_at = now
        alarm.save(update_fields=["cleared_at"])
        signal = signals.get(alarm.signal_rowid)
        if (
            alarm.kind == "refused"
            and signal
            and refused_by_checks(signal.order_status, signal.status_msg)
        ):
            continue  # only out of the look-back window: nothing changed, nothing to say
        if signal is None:
            cleared.append(f"#{alarm.signal_rowid}: {DESCRIPTIONS[alarm.kind]}, deleted")
        else:
            cleared.append("cleared: " + _line(alarm.kind, signal, alarm.since))
    if not raised and not cleared:
        return None
    title = f"Pairs-API: {len(raised)} new problem(s), {len(cleared)} cleared"
    return Notification(title, "\n".join(raised + cleared))
