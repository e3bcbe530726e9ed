from pairsapi.api.listing import newest

from .models import AccountSnapshot


def newest_snapshots(number):
    return newest(AccountSnapshot.objects.all(), number)


def latest_snapshot():
    return AccountSnapshot.objects.order_by("-rowid").first()


def net_liquidation_history(since=None):
    """(timestamp, NetLiquidation) oldest first, for the positions page's chart."""
    snapshots = AccountSnapshot.objects.filter(net_liquidation__isnull=False)
    if since is not None:
        snapshots = snapshots.filter(timestamp__gte=since)
    return list(snapshots.order_by("timestamp").values_list("timestamp", "net_liquidation"))
