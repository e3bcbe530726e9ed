"""The safety net's writes: bridge contacts and the watchdog's cursor."""

from datetime import datetime

from django.db import IntegrityError, transaction

from .models import Alarm, BridgeContact, WatchCursor, WatchdogRun


def record_bridge_contact(*, address: str, route: str, at: datetime) -> None:
    """Note that the bridge reached ``route`` from ``address`` at ``at``."""
    if BridgeContact.objects.filter(address=address, route=route).update(last_seen=at):
        return
    try:
        with transaction.atomic():
            BridgeContact.objects.create(address=address, route=route, first_seen=at, last_seen=at)
    except IntegrityError:  # another worker created it first
        BridgeContact.objects.filter(address=address, route=route).update(last_seen=at)


def forget_bridge_contacts_before(*, moment: datetime) -> int:
    """Drop contacts not renewed since ``moment`` (addresses a bridge no longer uses)."""
    return BridgeContact.objects.filter(last_seen__lt=moment).delete()[0]


def move_cursor(*, name: str, after_rowid: int) -> None:
    WatchCursor.objects.update_or_create(name=name, defaults={"after_rowid": after_rowid})


WATCHDOG_ROW = 1


def note_watchdog_check(*, at: datetime) -> None:
    """Remember that the watchdog checked at ``at``, and how many alarms are open."""
    open_alarms = Alarm.objects.filter(cleared_at__isnull=True).count()
    WatchdogRun.objects.update_or_create(
        id=WATCHDOG_ROW, defaults={"checked_at": at, "open_alarms": open_alarms}
    )
