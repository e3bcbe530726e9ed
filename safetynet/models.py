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
