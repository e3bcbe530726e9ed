from django.db import transaction

from pairsapi.api.errors import ItemNotFound

from .models import AccountSnapshot


def record_snapshot(fields):
    """Store the account figures the bridge reported; unknown PnL figures stay -1."""
    fields = {key: value for key, value in fields.items() if value is not None}
    return AccountSnapshot.objects.create(**fields)


@transaction.atomic
def update_snapshot(rowid, fields):
    snapshot = AccountSnapshot.objects.select_for_update().filter(rowid=rowid).first()
    if snapshot is None:
        raise ItemNotFound()
    for key, value in fields.items():
        setattr(snapshot, key, value)
    snapshot.save()
    return snapshot
