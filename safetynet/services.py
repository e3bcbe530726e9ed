"""The safety net's writes: bridge contacts and the watchdog's cursor."""

from datetime import datetime

from django.db import IntegrityError, transaction

from .models import BridgeContact, WatchCursor


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
