from django.db import models
from django.db.models import Q


class Alarm(models.Model):
    """One condition the watchdog found on one signal: notified once when raised, once more
    when it clears. At most one open alarm per condition and signal."""

    kind = models.CharField(max_length=20)
    signal_rowid = models.BigIntegerField()
    since = models.DateTimeField()
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "signal_rowid"],
                condition=Q(cleared_at__isnull=True),
                name="alarm_open_once",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.signal_rowid}"


class BridgeContact(models.Model):
    """When a broker bridge last reached the service from one address on one route: a read of
    the waiting list or a write with the passphrase. "Bridge last seen" is the newest of these."""

    address = models.CharField(max_length=64)
    route = models.CharField(max_length=100)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["address", "route"], name="bridge_contact_once")
        ]

    def __str__(self):
        return f"{self.route} from {self.address}"


class WatchCursor(models.Model):
    """Where the watchdog's pass over new alerts (the missed-alert comparison) continues."""

    name = models.CharField(max_length=20, unique=True)
    after_rowid = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} after #{self.after_rowid}"


class WatchdogRun(models.Model):
    """The watchdog's last check (one row): the setup page shows whether it is running."""

    checked_at = models.DateTimeField()
    open_alarms = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"watchdog checked at {self.checked_at:%Y-%m-%d %H:%M:%S}"
