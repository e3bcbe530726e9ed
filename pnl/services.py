from django.db import transaction

from pairsapi.domain import NotFound

from .models import UNKNOWN_PNL, AccountSnapshot


def record_snapshot(fields):
    """Store the account figures the bridge reported; unknown PnL figures stay -1."""
    fields = {key: value for key, value in fields.items() if value is not None}
    return AccountSnapshot.objects.create(**fields)


@transaction.atomic
def update_snapshot(rowid, fields):
    snapshot = AccountSnapshot.objects.select_for_update().filter(rowid=rowid).first()
    if snapshot is None:
        raise NotFound()
    for key, value in fields.items():
        if value is None and not AccountSnapshot._meta.get_field(key).null:
            value = UNKNOWN_PNL  # a PnL figure sent as null is unknown, as when creating
        setattr(snapshot, key, value)
    snapshot.save()
    return snapshot
