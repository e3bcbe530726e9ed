"""Read queries on signals, shared by the API and the pages."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractHour, TruncHour, Upper

from instruments.models import Ticker
from instruments.registry import pick_ticker
from pairsapi.actors import PASSPHRASE, STAFF_PREFIX, USER_PREFIX
from pairsapi.domain import NotFound
from pairsapi.queries import newest

from . import risk
from .checks import REFUSALS, REFUSED_STATUSES
from .expressions import PAIR, SINGLE, parse_expression, symbol_candidates
from .models import (
    EXPIRED,
    HELD,
    PENDING_STATUSES,
    WAITING_STATUSES,
    InstrumentExposure,
    InstrumentLimit,
    RiskSettings,
    Signal,
    SlippageHour,
)


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


def signals_for_ticker_between(
    name: str, start: datetime, end: datetime, most: int | None = None
) -> list[Signal]:
    """One ticker's or pair's signals from ``start`` (inclusive) to ``end`` (exclusive), newest
    first; the newest ``most`` of them when given."""
    signals = _of_ticker(name).filter(timestamp__gte=start, timestamp__lt=end).order_by("-rowid")
    return list(signals[:most] if most is not None else signals)


@dataclass(frozen=True)
class SlippageSummary:
    slipped: int  # signals in the range that have a slip
    averages: dict[str, float | None]  # buy, sell, all: their average slip
    hourly: list[tuple[datetime, float]]  # (UTC hour, average slip), oldest first


def _average(total: float, number: float) -> float | None:
    return total / number if number else None


def _hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _rolled_up(name: str) -> QuerySet[SlippageHour]:
    legs = name.split("-")
    if len(legs) == 2:
        return SlippageHour.objects.filter(ticker_type=PAIR, ticker1=legs[0], ticker2=legs[1])
    if len(legs) == 1:
        return SlippageHour.objects.filter(ticker_type=SINGLE, ticker1=legs[0], ticker2="")
    return SlippageHour.objects.none()


def _summed_by_hour(signals: QuerySet[Signal]) -> list[tuple[datetime, str, int, float]]:
    """(UTC hour, action, signals with a slip, their slips' sum), straight from the signals."""
    return [
        (row["hour"], row["order_action"], row["slipped"], row["slip_sum"])
        for row in signals.filter(slip__isnull=False)
        .annotate(hour=TruncHour("timestamp", tzinfo=UTC))
        .values("hour", "order_action")
        .annotate(slipped=Count("slip"), slip_sum=Sum("slip"))
    ]


def slippage_summary(name: str, start: datetime, end: datetime) -> SlippageSummary:
    """One ticker's or pair's slippage over a range: how many signals have a slip, the average
    of buys, sells and all, and the average of each hour (a chart's points). The whole hours
    inside the range come from the hourly roll-up (SlippageHour), the part-hours at its ends
    from the signals themselves, so a long range costs one row per hour, not per signal."""
    first_whole = _hour_floor(start)
    if first_whole < start:
        first_whole += timedelta(hours=1)
    last_whole = _hour_floor(end)  # whole hours run from first_whole up to last_whole
    signals = _of_ticker(name).filter(timestamp__gte=start, timestamp__lt=end)
    if first_whole >= last_whole:
        parts = _summed_by_hour(signals)
    else:
        parts = _summed_by_hour(
            signals.filter(Q(timestamp__lt=first_whole) | Q(timestamp__gte=last_whole))
        ) + list(
            _rolled_up(name)
            .filter(hour__gte=first_whole, hour__lt=last_whole, slipped__gt=0)
            .values_list("hour", "order_action", "slipped", "slip_sum")
        )
    by_action: dict[str, list[float]] = {"buy": [0.0, 0], "sell": [0.0, 0]}
    by_hour: dict[datetime, list[float]] = {}
    for hour, action, slipped, slip_sum in parts:
        by_action.setdefault(action, [0.0, 0])
        by_action[action][0] += slip_sum
        by_action[action][1] += slipped
        summed = by_hour.setdefault(hour, [0.0, 0])
        summed[0] += slip_sum
        summed[1] += slipped
    every = [sum(v[0] for v in by_action.values()), sum(v[1] for v in by_action.values())]
    return SlippageSummary(
        slipped=int(every[1]),
        averages={
            "buy": _average(*by_action["buy"]),
            "sell": _average(*by_action["sell"]),
            "all": _average(*every),
        },
        hourly=[(hour, total / number) for hour, (total, number) in sorted(by_hour.items())],
    )


def slips_for_ticker_between(
    name: str, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """Each signal's slip in the range, oldest first (a short range's chart)."""
    slipped = _of_ticker(name).filter(timestamp__gte=start, timestamp__lt=end, slip__isnull=False)
    points = slipped.order_by("timestamp", "rowid").values_list("timestamp", "slip")
    return [(moment, slip) for moment, slip in points if slip is not None]


def statuses_named(status: str) -> tuple[str, ...]:
    """The statuses a status name stands for in lists and the stream: ``waiting`` includes
    ``rerouted``, as the bridge expects."""
    return WAITING_STATUSES if status == "waiting" else (status,)


def signals_with_status(status: str, number: int) -> QuerySet[Signal]:
    """Signals of one status (see ``statuses_named``), newest first. The waiting list leaves
    out signals older than max_signal_age: no bridge places a stale order, even before the
    watchdog marks them expired."""
    chosen = Signal.objects.filter(order_status__in=statuses_named(status))
    if status == "waiting":
        chosen = chosen.filter(timestamp__gte=oldest_placeable())
    return newest(chosen, number)


# --- the risk gate's reads


def risk_settings() -> RiskSettings:
    """The guard rails' one row, created if missing (a flushed database)."""
    row, _ = RiskSettings.objects.get_or_create(id=RiskSettings.SINGLETON_ID)
    return row


@dataclass(frozen=True)
class RiskSnapshot:
    """The guard rails as a worker keeps them: an alert for an instrument with no limits, while
    trading is not halted, is checked without a query (its INSERT carries ``version``)."""

    version: int
    halted: bool
    halt_reason: str
    limits: dict[str, risk.Limits]

    def limits_for(self, instrument: str) -> risk.Limits:
        defaults = self.limits.get(InstrumentLimit.DEFAULTS, risk.Limits())
        return self.limits.get(instrument, risk.Limits()).over(defaults)


_risk_snapshot: RiskSnapshot | None = None


def cached_risk() -> RiskSnapshot:
    return _risk_snapshot or refreshed_risk()


def refreshed_risk() -> RiskSnapshot:
    """Read the guard rails again (the version first: a change committed meanwhile leaves the
    copy labelled older, so its first insert is refused) and keep them as this worker's."""
    global _risk_snapshot
    row = risk_settings()
    limits = {r.instrument: _limits(r) for r in InstrumentLimit.objects.all()}
    _risk_snapshot = RiskSnapshot(row.version, row.halted, row.halt_reason, limits)
    return _risk_snapshot


def oldest_placeable(now: datetime | None = None) -> datetime:
    """The time a waiting signal may be stamped at and still go to a broker."""
    moment = now or datetime.now(UTC)
    return moment - timedelta(seconds=risk_settings().max_signal_age)


def _limits(row: InstrumentLimit | None) -> risk.Limits:
    if row is None:
        return risk.Limits()
    return risk.Limits(**{name: getattr(row, name) for name in risk.LIMIT_NAMES})


def filled_position(instrument: str) -> float:
    """The service's own filled position in a ticker or pair (leg 1's units)."""
    found = InstrumentExposure.objects.filter(instrument=instrument).values_list(
        "filled", flat=True
    )
    return next(iter(found), 0.0)


def signals_of_instrument(signal: Signal) -> QuerySet[Signal]:
    """Signals of the same ticker or pair as ``signal`` (the history index serves them)."""
    return Signal.objects.filter(
        ticker1=signal.ticker1, ticker2=signal.ticker2, ticker_type=signal.ticker_type
    )


# An unfilled order older than this is no longer at the broker (orders go out DAY).
PENDING_FOR = timedelta(days=1)


def pending_orders(same: QuerySet[Signal], now: datetime) -> list[tuple[str, int, float]]:
    """(action, contracts, leg 1 filled) of the instrument's orders waiting for a bridge or at
    the broker unfilled."""
    pending = same.filter(order_status__in=PENDING_STATUSES, timestamp__gte=now - PENDING_FOR)
    waiting_too_long = Q(order_status__in=WAITING_STATUSES, timestamp__lt=oldest_placeable(now))
    return list(
        pending.exclude(waiting_too_long).values_list(
            "order_action", "order_contracts", "filled_qty1"
        )
    )


def orders_since(same: QuerySet[Signal], moment: datetime) -> int:
    """How many of the instrument's signals since ``moment`` went, or may go, to a broker."""
    refused = (HELD, EXPIRED, *REFUSED_STATUSES)
    return same.filter(timestamp__gte=moment).exclude(order_status__in=refused).count()


def risk_document() -> dict:
    """The guard rails as GET /v3/risk shows them."""
    settings_row = risk_settings()
    rows = list(InstrumentLimit.objects.order_by("instrument"))
    defaults = next((r for r in rows if r.instrument == InstrumentLimit.DEFAULTS), None)
    return {
        "halted": settings_row.halted,
        "halt_reason": settings_row.halt_reason,
        "max_signal_age": settings_row.max_signal_age,
        "daily_loss_limit": settings_row.daily_loss_limit,
        "max_drawdown": settings_row.max_drawdown,
        "defaults": _limits(defaults).__dict__,
        "instruments": {
            row.instrument: _limits(row).__dict__
            for row in rows
            if row.instrument != InstrumentLimit.DEFAULTS
        },
    }


UNFILLED_STATUSES = ("created", "part.filled")


def waiting_since_before(moment: datetime) -> QuerySet[Signal]:
    """Signals still waiting for the bridge that arrived before ``moment``."""
    return Signal.objects.filter(order_status__in=WAITING_STATUSES, timestamp__lt=moment)


def held_signals() -> QuerySet[Signal]:
    """Signals the risk gate holds, oldest first."""
    return Signal.objects.filter(order_status=HELD).order_by("rowid")


def expired_since(moment: datetime) -> QuerySet[Signal]:
    return Signal.objects.filter(order_status=EXPIRED, timestamp__gte=moment)


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


# --- the console's signal log


# A status name in the log's filter, and the statuses it stands for.
LOG_STATUSES = {
    "waiting": WAITING_STATUSES,
    "created": ("created",),
    "part.filled": ("part.filled", "filled(...)"),
    "filled": ("filled",),
    "canceled": ("canceled",),
    "error": ("error",),
    "held": (HELD,),
    "expired": (EXPIRED,),
}
# Who stored a signal (``created_by``): TradingView and anything else with the passphrase, a
# person in the console or the admin, a script or bridge with an access token.
# "Not an alert" is spelled out so that the signal_not_alert_idx partial index serves the rare
# sources without reading the whole log.
LOG_SOURCES = {
    "alert": Q(created_by=PASSPHRASE),
    "manual": ~Q(created_by=PASSPHRASE) & Q(created_by__startswith=STAFF_PREFIX),
    "api": ~Q(created_by=PASSPHRASE) & Q(created_by__startswith=USER_PREFIX),
}


@dataclass(frozen=True)
class Instrument:
    """A ticker or pair as the log filters by it: the symbols each leg may be stored under."""

    kind: str  # SINGLE or PAIR
    symbols1: tuple[str, ...]
    symbols2: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.symbols1[0] + (f"-{self.symbols2[0]}" if self.kind == PAIR else "")


def _stored_symbols(written: str) -> tuple[str, ...]:
    """The symbols a leg written as in TradingView may be stored under: the registered ticker
    it names, whatever its case (``aapl``, ``bf.a``, ``eurusd``), then the text itself."""
    candidates = [(c.symbol, c.sectypes) for c in symbol_candidates(written.upper())]
    # One query for every candidate spelling, matched whatever the stored case.
    tickers = Ticker.objects.annotate(upper=Upper("symbol")).filter(
        upper__in=[symbol for symbol, _ in candidates]
    )
    ticker = pick_ticker(candidates, {t.upper: t for t in tickers.only("symbol", "sectype")})
    found = [] if ticker is None else [ticker.symbol]
    for spelling in (written.upper(), written):
        if spelling not in found:
            found.append(spelling)
    return tuple(found)


def instrument_named(text: str) -> Instrument | None:
    """The ticker or pair a TradingView expression names (``NMFC-0.75*NASDAQ:ROIC``,
    ``nasdaq:aapl``), or None when it is not one."""
    expression = parse_expression(text.strip())
    if expression.is_problematic or expression.symbol1 is None:
        return None
    if expression.kind == PAIR and expression.symbol2 is not None:
        return Instrument(
            PAIR, _stored_symbols(expression.symbol1), _stored_symbols(expression.symbol2)
        )
    return Instrument(SINGLE, _stored_symbols(expression.symbol1))


@dataclass(frozen=True)
class LogFilter:
    instrument: Instrument | None = None
    status: str = ""  # a key of LOG_STATUSES
    action: str = ""  # buy or sell
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    source: str = ""  # a key of LOG_SOURCES


def instrument_filter(instrument: Instrument) -> Q:
    """The signals of a ticker or pair, in the terms the ticker index serves."""
    if instrument.kind == PAIR:
        return Q(ticker_type=PAIR, ticker1__in=instrument.symbols1, ticker2__in=instrument.symbols2)
    return Q(ticker_type=SINGLE, ticker1__in=instrument.symbols1, ticker2__isnull=True)


def _filtered(log_filter: LogFilter) -> QuerySet[Signal]:
    signals = Signal.objects.all()
    if log_filter.instrument is not None:
        signals = signals.filter(instrument_filter(log_filter.instrument))
    if log_filter.status:
        signals = signals.filter(order_status__in=LOG_STATUSES[log_filter.status])
    if log_filter.action:
        signals = signals.filter(order_action=log_filter.action)
    if log_filter.start is not None:
        signals = signals.filter(timestamp__gte=log_filter.start)
    if log_filter.end is not None:
        signals = signals.filter(timestamp__lt=log_filter.end)
    if log_filter.source:
        signals = signals.filter(LOG_SOURCES[log_filter.source])
    return signals


@dataclass(frozen=True)
class LogPage:
    signals: list[Signal]  # newest first
    newer: int | None  # the rowid to read newer rows after, when there are any
    older: int | None  # the rowid to read older rows before, when there are any


def _older_than(signal: Signal) -> Q:
    return Q(timestamp__lt=signal.timestamp) | Q(timestamp=signal.timestamp, rowid__lt=signal.rowid)


def _newer_than(signal: Signal) -> Q:
    return Q(timestamp__gt=signal.timestamp) | Q(timestamp=signal.timestamp, rowid__gt=signal.rowid)


NEWEST_FIRST = ("-timestamp", "-rowid")
OLDEST_FIRST = ("timestamp", "rowid")


def signal_log_page(
    log_filter: LogFilter, *, before: int | None = None, after: int | None = None, size: int = 50
) -> LogPage:
    """One page of the filtered log in time order, newest first (signals of the same second by
    rowid), read by keyset: ``before`` names the row the page is older than, ``after`` the row
    it is newer than, neither the newest page. A named row that no longer exists raises
    NotFound."""
    signals = _filtered(log_filter)
    anchor_rowid = after if after is not None else before
    anchor = None
    if anchor_rowid is not None:
        anchor = Signal.objects.filter(rowid=anchor_rowid).only("timestamp").first()
        if anchor is None:
            raise NotFound("the signal this page started from is gone; start from the newest.")
    if after is not None and anchor is not None:
        rows = list(signals.filter(_newer_than(anchor)).order_by(*OLDEST_FIRST)[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        more_older = bool(rows) and signals.filter(_older_than(rows[-1])).exists()
    else:
        older = signals if anchor is None else signals.filter(_older_than(anchor))
        rows = list(older.order_by(*NEWEST_FIRST)[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        more_newer = (
            anchor is not None and bool(rows) and signals.filter(_newer_than(rows[0])).exists()
        )
    return LogPage(
        rows,
        newer=rows[0].rowid if rows and more_newer else None,
        older=rows[-1].rowid if rows and more_older else None,
    )


def signal_log_all(log_filter: LogFilter) -> Iterator[Signal]:
    """Every filtered signal in time order, newest first, read in chunks (the CSV export)."""
    return _filtered(log_filter).order_by(*NEWEST_FIRST).iterator(chunk_size=2000)


def slippage_by_instrument(since: datetime) -> list[dict]:
    """Average slip and count per ticker or pair over the signals since ``since`` that have
    one, worst first."""
    return list(
        Signal.objects.filter(timestamp__gte=since, slip__isnull=False)
        .values("ticker_type", "ticker1", "ticker2")
        .annotate(average=Avg("slip"), count=Count("rowid"))
        .order_by("average")
    )


def slippage_by_hour(since: datetime, zone: tzinfo) -> list[dict]:
    """Average slip and count per hour of the day in ``zone``, over the signals since ``since``
    that have one."""
    return list(
        Signal.objects.filter(timestamp__gte=since, slip__isnull=False)
        .annotate(hour=ExtractHour("timestamp", tzinfo=zone))
        .values("hour")
        .annotate(average=Avg("slip"), count=Count("rowid"))
        .order_by("hour")
    )


def times_to_fill(since: datetime, most: int = 5000) -> list[float]:
    """Seconds from alert to fill of the newest ``most`` signals filled since ``since``."""
    taken = ExpressionWrapper(F("filled_at") - F("timestamp"), output_field=DurationField())
    durations = (
        Signal.objects.filter(timestamp__gte=since, filled_at__isnull=False)
        .annotate(taken=taken)
        .order_by("-timestamp")
        .values_list("taken", flat=True)[:most]
    )
    return [d.total_seconds() for d in durations if d is not None]
