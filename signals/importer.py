"""``manage.py import_v3``: the signals of an original v3 database, rowids and timestamps kept."""

from collections import Counter

from pairsapi.timestamps import utc_now_to_second
from pairsapi.v3source import (
    as_float,
    as_int,
    as_text,
    as_timestamp,
    batched,
    reset_sequences,
    upsert_by_id,
)

from .models import Signal

# Every column v3 had: all but the key and the per-leg quantities this service added.
# What the original's table holds: not this service's own bookkeeping (who stored a signal, its
# stream cursor, the watchdog's mark), which a re-import leaves as it is.
_IMPORTED_FIELDS = [
    f.name
    for f in Signal._meta.concrete_fields
    if f.editable and f.name not in ("rowid", "filled_qty1", "filled_qty2", "missed_alert")
]


def _signal_from_v3(row):
    rowid = as_int(row.get("rowid"))
    action = (as_text(row.get("order_action")) or "").strip().lower()
    contracts = as_int(row.get("order_contracts"))
    if not rowid or rowid < 1 or action not in ("buy", "sell") or contracts is None:
        return None
    return Signal(
        rowid=rowid,
        timestamp=as_timestamp(row.get("timestamp")) or utc_now_to_second(),
        ticker=as_text(row.get("ticker"), 100) or "",
        order_action=action,
        order_contracts=contracts,
        order_price=as_float(row.get("order_price")),
        mar_pos=as_text(row.get("mar_pos"), 20),
        mar_pos_size=as_int(row.get("mar_pos_size")),
        pre_mar_pos=as_text(row.get("pre_mar_pos"), 20),
        pre_mar_pos_size=as_int(row.get("pre_mar_pos_size")),
        order_comment=as_text(row.get("order_comment")) or "",
        order_status=as_text(row.get("order_status"), 40) or "waiting",
        ticker_type=as_text(row.get("ticker_type"), 12),
        ticker1=as_text(row.get("ticker1"), 40),
        ticker2=as_text(row.get("ticker2"), 40),
        hedge_param=as_float(row.get("hedge_param")),
        order_id1=as_int(row.get("order_id1")),
        order_id2=as_int(row.get("order_id2")),
        price1=as_float(row.get("price1")),
        price2=as_float(row.get("price2")),
        fill_price=as_float(row.get("fill_price")),
        slip=as_float(row.get("slip")),
        error_msg=as_text(row.get("error_msg")),
        status_msg=as_text(row.get("status_msg")),
    )


def import_v3_signals(rows, batch_size=2000):
    """Copy a v3 database's signals, keeping rowids and timestamps; rows already imported are
    updated, not duplicated."""
    counts = Counter()
    for batch in batched(rows, batch_size):
        signals = [_signal_from_v3(row) for row in batch]
        counts["skipped"] += signals.count(None)
        upsert_by_id(Signal, [s for s in signals if s is not None], _IMPORTED_FIELDS, counts)
    reset_sequences(Signal)
    return counts
