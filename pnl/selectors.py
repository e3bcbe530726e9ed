from datetime import UTC, datetime

from django.db.models import Avg, Max, Min, Q, QuerySet
from django.db.models.functions import TruncHour

from pairsapi.queries import newest

from .models import UNKNOWN_PNL, UNKNOWN_WHEN_MISSING, WIRE_FIELDS, AccountSnapshot


def newest_snapshots(number: int) -> QuerySet[AccountSnapshot]:
    return newest(AccountSnapshot.objects.all(), number)


def latest_known_snapshot() -> AccountSnapshot | None:
    """The newest snapshot holding at least one known figure: a snapshot the bridge sent with
    nothing in it (only the passphrase) must not hide the real figures."""
    known = Q()
    for field in WIRE_FIELDS.values():
        if field in UNKNOWN_WHEN_MISSING:
            known |= ~Q(**{field: UNKNOWN_PNL})
        else:
            known |= Q(**{f"{field}__isnull": False})
    return AccountSnapshot.objects.filter(known).order_by("-rowid").first()


def net_liquidation_by_hour(since: datetime) -> list[tuple[datetime, float, float, float]]:
    """(hour, average, highest, lowest) of NetLiquidation per UTC hour since ``since``, oldest
    first: a chart's worth of points however often the bridge reports."""
    return list(
        AccountSnapshot.objects.filter(net_liquidation__isnull=False, timestamp__gte=since)
        .annotate(hour=TruncHour("timestamp", tzinfo=UTC))
        .values("hour")
        .annotate(
            average=Avg("net_liquidation"),
            high=Max("net_liquidation"),
            low=Min("net_liquidation"),
        )
        .order_by("hour")
        .values_list("hour", "average", "high", "low")
    )


def daily_loss(snapshot: AccountSnapshot) -> float | None:
    """How much the account lost today (UTC), 0 when it gained: the broker's daily P&L when it
    sent one, else the fall of net liquidation since the day's first snapshot."""
    if snapshot.daily_pnl != UNKNOWN_PNL:
        return max(-snapshot.daily_pnl, 0.0)
    if snapshot.net_liquidation is None:
        return None
    day_start = snapshot.timestamp.replace(hour=0, minute=0, second=0, microsecond=0)
    first = (
        AccountSnapshot.objects.filter(timestamp__gte=day_start, net_liquidation__isnull=False)
        .order_by("timestamp", "rowid")
        .values_list("net_liquidation", flat=True)
        .first()
    )
    return None if first is None else max(first - snapshot.net_liquidation, 0.0)


def drawdown(snapshot: AccountSnapshot) -> float | None:
    """How far net liquidation stands below its highest."""
    if snapshot.net_liquidation is None:
        return None
    peak = AccountSnapshot.objects.aggregate(peak=Max("net_liquidation"))["peak"]
    return None if peak is None else max(peak - snapshot.net_liquidation, 0.0)
