"""What the watchdog looks for in each check, and the one message a check sends.

Conditions, each on one signal:
- ``waiting``: still waiting (or rerouted) ALERT_WAITING_AFTER seconds after it arrived: the
  bridge has not taken it;
- ``refused``: stored as error or canceled by the service's own checks (unknown, passive, wrong
  hedge, problematic), in the last day;
- ``unfilled``: created or part filled ALERT_UNFILLED_AFTER seconds after it arrived;
- ``held``: stopped by the risk gate, until staff release or cancel it;
- ``expired``: waited past the risk settings' max_signal_age (each check expires those that
  did), in the last day;

and on the loop as a whole:
- ``silent``: signals are waiting and the bridge has not been in touch (a read of the waiting
  list, a write with the passphrase) for ALERT_BRIDGE_SILENT_AFTER seconds;
- ``halted``: trading is halted (by hand or by a loss limit).

An alarm is raised once per condition and signal, and cleared once when the condition no longer
holds. Besides, each check compares the alerts stored since the last one with the alert before
each (``missed_alert``); a mismatch marks the signal and is said once (a mark does not clear).
Everything one check raises, marks or clears goes out as one notification.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from signals.checks import refused_by_checks
from signals.models import Signal
from signals.selectors import (
    expired_since,
    held_signals,
    last_rowid_before,
    oldest_waiting_signal,
    refused_by_checks_since,
    risk_settings,
    unfilled_since_before,
    waiting_since_before,
)
from signals.services import expire_stale_signals, mark_missed_alerts

from .models import Alarm
from .notify import Notification
from .selectors import bridge_last_seen, cursor_position
from .services import forget_bridge_contacts_before, move_cursor

# Refusals older than this are history, not news; a watchdog first started on an existing history
# compares the alerts of this last stretch for missed ones, not all of them.
LOOKED_BACK = timedelta(days=1)
# Addresses the bridge has not used for this long are forgotten.
CONTACTS_KEPT = timedelta(days=7)
MISSED_CURSOR = "missed_alerts"
DESCRIPTIONS = {
    "waiting": "not taken by the bridge",
    "refused": "refused by the service's checks",
    "unfilled": "placed but not filled",
    "silent": "the bridge is silent",
    "held": "held by the risk gate",
    "expired": "expired before any bridge took it",
    "halted": "trading is halted",
}
# The loop-wide alarm is kept under this signal number.
WHOLE_LOOP = 0


@dataclass(frozen=True)
class Finding:
    kind: str
    signal: Signal


def findings(now: datetime) -> dict[tuple[str, int], Finding]:
    waiting = waiting_since_before(now - timedelta(seconds=settings.ALERT_WAITING_AFTER))
    unfilled = unfilled_since_before(now - timedelta(seconds=settings.ALERT_UNFILLED_AFTER))
    refused = refused_by_checks_since(now - LOOKED_BACK)
    expired = expired_since(now - LOOKED_BACK)
    found = {}
    kinds = (
        ("waiting", waiting),
        ("unfilled", unfilled),
        ("refused", refused),
        ("held", held_signals()),
        ("expired", expired),
    )
    for kind, signals in kinds:
        for signal in signals:
            found[(kind, signal.rowid)] = Finding(kind, signal)
    return found


def _link(signal: Signal) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}/admin/signals/signal/{signal.rowid}/change/"


def quoted(text: str | None, limit: int = 120) -> str:
    """A field someone else wrote (an alert's ticker, a broker's message) as a notification
    may carry it: in quotes, on one line, cut short, so that it cannot pass for the
    notification's own words (a forged "cleared:" line) or for markup."""
    flat = " ".join(str(text or "").replace("\x00", " ").split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _what(signal: Signal) -> str:
    return f"#{signal.rowid} {signal.order_action} {signal.order_contracts} {quoted(signal.ticker)}"


def _silent_bridge(now: datetime) -> tuple[datetime, str] | None:
    """(since when, what to say) when signals wait and the bridge has been silent too long."""
    oldest = oldest_waiting_signal()
    if oldest is None:
        return None
    contact = bridge_last_seen()
    if contact is None:  # a bridge never seen has had since the oldest signal to come
        seen, since = "never seen", oldest.timestamp
    else:
        seen = f"last seen {contact.last_seen:%Y-%m-%d %H:%M:%S} UTC from {contact.address}"
        seen += f" ({contact.route})"
        since = contact.last_seen
    if since >= now - timedelta(seconds=settings.ALERT_BRIDGE_SILENT_AFTER):
        return None
    line = (
        f"{DESCRIPTIONS['silent']}: {seen}; signals waiting since "
        f"{oldest.timestamp:%Y-%m-%d %H:%M:%S} UTC, the oldest {_what(oldest)} - {_link(oldest)}"
    )
    return since, line


def _missed_alerts(now: datetime) -> list[str]:
    after = cursor_position(MISSED_CURSOR)
    if after is None:
        after = last_rowid_before(now - LOOKED_BACK)
    marked, cursor = mark_missed_alerts(after_rowid=after, now=now)
    if cursor != after:
        move_cursor(name=MISSED_CURSOR, after_rowid=cursor)
    return [
        f"{_what(signal)}: an alert before it is missing ({quoted(signal.missed_alert)}), "
        f"at {signal.timestamp:%Y-%m-%d %H:%M:%S} UTC - {_link(signal)}"
        for signal in marked
    ]


def _line(kind: str, signal: Signal, since: datetime) -> str:
    why = signal.error_msg if kind in ("held", "expired") else signal.status_msg
    status = quoted(signal.order_status) + (f" ({quoted(why)})" if why else "")
    return (
        f"{_what(signal)}: {DESCRIPTIONS[kind]} since {since:%Y-%m-%d %H:%M:%S} UTC, "
        f"{status} - {_link(signal)}"
    )


_BRIDGE_ALARM = ("silent", WHOLE_LOOP)


def _watch_bridge(now: datetime, alarm: Alarm | None) -> tuple[list[str], list[str]]:
    """Raise or clear the silent-bridge alarm: (raised lines, cleared lines)."""
    silent = _silent_bridge(now)
    if silent and not alarm:
        since, line = silent
        Alarm.objects.create(kind="silent", signal_rowid=WHOLE_LOOP, since=since, raised_at=now)
        return [line], []
    if alarm and not silent:
        alarm.cleared_at = now
        alarm.save(update_fields=["cleared_at"])
        contact = bridge_last_seen()
        if contact is not None and contact.last_seen > alarm.since:
            back = f"seen {contact.last_seen:%Y-%m-%d %H:%M:%S} UTC from {contact.address}"
        else:
            back = "nothing is waiting any more"
        silent_since = f"{alarm.since:%Y-%m-%d %H:%M:%S} UTC"
        return [], [f"cleared: {DESCRIPTIONS['silent']} since {silent_since}; {back}"]
    return [], []


_HALT_ALARM = ("halted", WHOLE_LOOP)


def _watch_halt(now: datetime, alarm: Alarm | None) -> tuple[list[str], list[str]]:
    """Say once that trading is halted, and once that it goes on."""
    guard_rails = risk_settings()
    if guard_rails.halted and not alarm:
        Alarm.objects.create(kind="halted", signal_rowid=WHOLE_LOOP, since=now, raised_at=now)
        return [f"trading is halted: {guard_rails.halt_reason or 'by staff'}"], []
    if alarm and not guard_rails.halted:
        alarm.cleared_at = now
        alarm.save(update_fields=["cleared_at"])
        return [], [f"cleared: trading halted since {alarm.since:%Y-%m-%d %H:%M:%S} UTC"]
    return [], []


@transaction.atomic
def check_once(now: datetime) -> Notification | None:
    """Raise and clear alarms against what holds at ``now``; the notification to send, if any."""
    expire_stale_signals(now=now)
    found = findings(now)
    open_alarms = {
        (a.kind, a.signal_rowid): a
        for a in Alarm.objects.select_for_update().filter(cleared_at__isnull=True)
    }
    raised, cleared = _missed_alerts(now), []
    bridge_raised, bridge_cleared = _watch_bridge(now, open_alarms.pop(_BRIDGE_ALARM, None))
    raised += bridge_raised
    cleared += bridge_cleared
    halt_raised, halt_cleared = _watch_halt(now, open_alarms.pop(_HALT_ALARM, None))
    raised += halt_raised
    cleared += halt_cleared
    forget_bridge_contacts_before(moment=now - CONTACTS_KEPT)
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
        ) or (alarm.kind == "expired" and signal and signal.order_status == "expired"):
            continue  # only out of the look-back window: nothing changed, nothing to say
        if signal is None:
            cleared.append(f"#{alarm.signal_rowid}: {DESCRIPTIONS[alarm.kind]}, deleted")
        else:
            cleared.append("cleared: " + _line(alarm.kind, signal, alarm.since))
    if not raised and not cleared:
        return None
    title = f"Pairs-API: {len(raised)} new problem(s), {len(cleared)} cleared"
    return Notification(title, "\n".join(raised + cleared), "warning" if raised else "success")
