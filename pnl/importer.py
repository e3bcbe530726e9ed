"""``manage.py import_v3``: the account snapshots of an original v3 database."""

from collections import Counter

from pairsapi.timestamps import utc_now_to_second
from pairsapi.v3source import as_float, as_int, as_timestamp, batched, reset_sequences, upsert_by_id

from .models import UNKNOWN_PNL, UNKNOWN_WHEN_MISSING, WIRE_FIELDS, AccountSnapshot


def import_v3_snapshots(rows, batch_size=2000):
    """Copy a v3 database's ``account`` rows, keeping rowids and timestamps."""
    counts = Counter()
    for batch in batched(rows, batch_size):
        snapshots = []
        for row in batch:
            rowid = as_int(row.get("rowid"))
            if not rowid or rowid < 1:
                counts["skipped"] += 1
                continue
            figures = {field: as_float(row.get(key)) for key, field in WIRE_FIELDS.items()}
            for field in UNKNOWN_WHEN_MISSING:
                if figures[field] is None:
                    figures[field] = UNKNOWN_PNL
            timestamp = as_timestamp(row.get("timestamp")) or utc_now_to_second()
            snapshots.append(AccountSnapshot(rowid=rowid, timestamp=timestamp, **figures))
        upsert_by_id(AccountSnapshot, snapshots, ["timestamp", *WIRE_FIELDS.values()], counts)
    reset_sequences(AccountSnapshot)
    return counts
