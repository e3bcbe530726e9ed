from django.db.models import QuerySet

from .models import AuditChange


def history_of(model: str, key: object) -> QuerySet[AuditChange]:
    """The changes to one row, newest first (``model``: signal, ticker, pair or user)."""
    return AuditChange.objects.filter(model=model, object_key=str(key)).order_by("-id")
