from django.db import models


class AuditChange(models.Model):
    """One change to an audited row: written by database triggers in the same transaction as
    the change (see ``audit.triggers``), so no write path can skip it and a rollback takes it
    back. Never edited."""

    at = models.DateTimeField()
    model = models.CharField(max_length=20)  # signal, ticker, pair, user
    object_key = models.CharField(max_length=100)
    action = models.CharField(max_length=6)  # create, update, delete
    # passphrase, user:<name> (API token), staff:<name> (the admin), service (the service itself)
    actor = models.CharField(max_length=150)
    # {field: [before, after]}: the fields an update changed, a deleted row's last values;
    # empty for a create (the row itself holds its first values).
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-id"]
        # One index, for a row's history: each index is paid on every audited write.
        indexes = [models.Index(fields=["model", "object_key", "-id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.action} {self.model} {self.object_key} by {self.actor}"
