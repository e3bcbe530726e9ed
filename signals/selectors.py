"""Read queries on signals, shared by the API and the pages."""

from datetime import datetime

from django.db.models import Avg, Q, QuerySet

from pairsapi.queries import newest

from .checks import REFUSALS, REFUSED_STATUSES
from .expressions import PAIR, SINGLE
from .models import WAITING_STATUSES, Signal


def signal_by_rowid(rowid: int) -> Signal | None:
    return Signal.objects.filter(rowid=rowid).first()


def newest_signals(number: int) -> QuerySet[Signal]:
    return newest(Signal.objects.all(), number)


def _of_ticker(name: str) -> QuerySet[Signal]:
    """``A-B``: the pair signals of ticker1 A and ticker2 B; ``A``: the single signals of A."""
    legs = name.split("-")
    if len(legs) == 2:
        return Signal.objects.filter(ticker_type=PAIR, ticker1=legs[0], ticker2=legs[1])
    if len(legs) == 1:
        # ticker2 IS NULL lets the (ticker1, ticker2, ticker_type, rowid) index serve singles too.
        return Signal.objects.filter(ticker_type=SINGLE, ticker1=legs[0], ticker2__isnull=True)
    return Signal.objects.none()


def signals_for_ticker(name: str, number: int) -> QuerySet[Signal]:
    return newest(_of_ticker(name), number)


def signals_for_ticker_between(name: str, start: datetime, end: datetime) -> list[Signal]:
    """One ticker's or pair's signals from ``start`` (inclusive) to ``end`` (exclusive), newest
    first."""
    return list(_of_ticker(name).filter(timestamp__gte=start, timestamp__lt=end).order_by("-rowid"))


def average_slippage(signals: QuerySet[Signal]) -> dict[str, float | None]:
    """Average slip of buys, of sells and of all, over the signals that have one."""
    return signals.aggregate(
        buy=Avg("slip", filter=Q(order_action="buy")),
        sell=Avg("slip", filter=Q(order_action="sell")),
        all=Avg("slip"),
    )


def average_slippage_between(name: str, start: datetime, end: datetime) -> dict[str, float | None]:
    return average_slippage(_of_ticker(name).filter(timestamp__gte=start, timestamp__lt=end))


def statuses_named(status: str) -> tuple[str, ...]:
    """The statuses a status name stands for in lists and the stream: ``waiting`` includes
    ``rerouted``, as the bridge expects."""
    return WAITING_STATUSES if status == "waiting" else (status,)


def signals_with_status(status: str, number: int) -> QuerySet[Signal]:
    """Signals of one status (see ``statuses_named``), newest first."""
    return newest(Signal.objects.filter(order_status__in=statuses_named(status)), number)


UNFILLED_STATUSES = ("created", "part.filled")


def waiting_since_before(moment: datetime) -> QuerySet[Signal]:
    """Signals still waiting for the bridge that arrived before ``moment``."""
    return Signal.objects.filter(order_status__in=WAITING_STATUSES, timestamp__lt=moment)


def oldest_waiting_signal() -> Signal | None:
    """The signal that has waited longest for the bridge, if any (the waiting index serves it)."""
    return Signal.objects.filter(order_status__in=WAITING_STATUSES).order_by("rowid").first()


def last_rowid_before(moment: datetime) -> int:
    """The rowid of the newest signal stored before ``moment``, 0 when there is none."""
    newest = (
        Signal.objects.filter(timestamp__lt=moment)
        .order_by("-timestamp")
        .values_list("rowid", flat=True)
        .first()
    )
    return newest or 0


def unfilled_since_before(moment: datetime) -> QuerySet[Signal]:
    """Signals placed (or part filled) before ``moment`` and not filled since."""
    return Signal.objects.filter(order_status__in=UNFILLED_STATUSES, timestamp__lt=moment)


def refused_by_checks_since(moment: datetime) -> QuerySet[Signal]:
    """Signals from ``moment`` on that the service's own checks stored as error or canceled."""
    return Signal.objects.filter(
        timestamp__gte=moment, order_status__in=REFUSED_STATUSES, status_msg__in=REFUSALS
    )
