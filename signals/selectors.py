"""Read queries on signals, shared by the API and the pages."""

from pairsapi.api.listing import newest

from .expressions import PAIR, SINGLE
from .models import WAITING_STATUSES, Signal


def signal_by_rowid(rowid):
    return Signal.objects.filter(rowid=rowid).first()


def newest_signals(number):
    return newest(Signal.objects.all(), number)


def signals_for_ticker(name, number):
    """``A-B``: the pair signals of ticker1 A and ticker2 B; ``A``: the single signals of A."""
    legs = name.split("-")
    if len(legs) == 2:
        signals = Signal.objects.filter(ticker_type=PAIR, ticker1=legs[0], ticker2=legs[1])
    elif len(legs) == 1:
        # ticker2 IS NULL lets the (ticker1, ticker2, ticker_type, rowid) index serve singles too.
        signals = Signal.objects.filter(ticker_type=SINGLE, ticker1=legs[0], ticker2__isnull=True)
    else:
        signals = Signal.objects.none()
    return newest(signals, number)


def signals_with_status(status, number):
    """Signals of one status; ``waiting`` includes ``rerouted``, as the bridge expects."""
    if status == "waiting":
        signals = Signal.objects.filter(order_status__in=WAITING_STATUSES)
    else:
        signals = Signal.objects.filter(order_status=status)
    return newest(signals, number)
