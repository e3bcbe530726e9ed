from django.db.models import QuerySet

from .models import Alarm, BridgeContact, WatchCursor, WatchdogRun


def bridge_last_seen() -> BridgeContact | None:
    """The bridge's newest contact, from any address on any route."""
    return BridgeContact.objects.order_by("-last_seen").first()


def cursor_position(name: str) -> int | None:
    cursor = WatchCursor.objects.filter(name=name).first()
    return None if cursor is None else cursor.after_rowid


def alarms_of(signal_rowid: int) -> QuerySet[Alarm]:
    """What the watchdog said about one signal, newest first."""
    return Alarm.objects.filter(signal_rowid=signal_rowid).order_by("-raised_at")


def last_watchdog_run() -> WatchdogRun | None:
    return WatchdogRun.objects.first()


def open_alarms() -> QuerySet[Alarm]:
    return Alarm.objects.filter(cleared_at__isnull=True).order_by("-raised_at")
