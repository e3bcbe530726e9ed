"""Every write to signals: ingest from the webhook, updates from the bridge, fill reports."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from random import getrandbits
from typing import TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from instruments.registry import Registry, cached_registry, refreshed_registry
from instruments.selectors import (
    LiveRegistry,
    forex_symbols_with_base,
    holding_of,
    ticker_by_symbol,
    tickers_by_symbol,
    tickers_holding_positions,
)
from pairsapi.domain import DuplicateAlert, NotFound, RuleViolated
from pairsapi.timestamps import utc_now_to_second

from . import hours, risk, selectors
from .checks import Registered, check_signal
from .expressions import PAIR, SINGLE, Expression, parse_expression, symbol_candidates
from .fills import FILLED, FillState, apply_cancel, apply_fill
from .inserts import insert_signal
from .manual import NoOrder, PlannedSignal, manual_order, pair_orders
from .models import (
    EXPIRED,
    HELD,
    WAITING_STATUSES,
    AlertReceipt,
    InstrumentExposure,
    InstrumentLimit,
    RiskSettings,
    Signal,
)


def _resolve(
    expression: Expression, registry: Registry
) -> tuple[Registered | None, str | None, str | None]:
    """What the expression names: (registered ticker or pair or None, ticker1, ticker2)."""
    if expression.kind == SINGLE:
        candidates = [(c.symbol, c.sectypes) for c in symbol_candidates(expression.symbol1)]
        ticker = registry.ticker_for(candidates)
        if ticker is None:
            return None, expression.symbol1, None
        return Registered(active=ticker.active), ticker.symbol, None
    if expression.kind == PAIR:
        pair = registry.pair_for(
            [c.symbol for c in symbol_candidates(expression.symbol1)],
            [c.symbol for c in symbol_candidates(expression.symbol2)],
        )
        if pair is None:
            return None, expression.symbol1, expression.symbol2
        return Registered(active=pair.status, hedge=pair.hedge), pair.ticker1, pair.ticker2
    return None, None, None


def _screen(signal: Signal, bypass: bool, registry: Registry) -> str:
    """Parse the signal's expression and set its derived fields and status; returns the answer."""
    expression = parse_expression(signal.ticker)
    registered, signal.ticker1, signal.ticker2 = _resolve(expression, registry)
    signal.ticker_type = None if expression.is_problematic else expression.kind
    signal.hedge_param = expression.hedge
    verdict = check_signal(
        expression, registered, signal.order_status, signal.status_msg, bypass=bypass
    )
    signal.order_status, signal.status_msg = verdict.order_status, verdict.status_msg
    return verdict.answer


# A registry that changes under three checks in a row is checked against the database instead.
_SNAPSHOT_ATTEMPTS = 3


class AlertFields(TypedDict, total=False):
    """What an alert may carry (``ticker``, ``order_action`` and ``order_contracts`` always)."""

    ticker: str
    order_action: str
    order_contracts: int
    order_price: float | None
    mar_pos: str | None
    mar_pos_size: int | None
    pre_mar_pos: str | None
    pre_mar_pos_size: int | None
    order_comment: str
    order_status: str
    status_msg: str | None
    error_msg: str | None


class SignalChanges(AlertFields, total=False):
    """What a bridge (or staff) may write on a stored signal."""

    timestamp: datetime
    order_id1: int | None
    order_id2: int | None
    price1: float | None
    price2: float | None
    fill_price: float | None
    slip: float | None
    filled_qty1: float
    filled_qty2: float


def ingest_signal(
    *,
    bypass_ticker_status: bool = False,
    alert_id: str | None = None,
    alert_message: str | None = None,
    lift_halt: bool = False,
    **alert: Unpack[AlertFields],
) -> tuple[Signal, str]:
    """Store a TradingView alert, with ``alert_message``, its text as received (passphrase
    masked). Returns (signal, answer).

    Checked against this worker's registry snapshot and stored by one INSERT that lands only
    while the snapshot is current; when it is not, the snapshot is read again and the alert
    checked again. An alert with an ``alert_id`` already stored within ALERT_DEDUPE_WINDOW
    seconds raises DuplicateAlert and stores nothing.
    """
    if alert_id is None:
        return _store_alert(alert, alert_message, bypass_ticker_status, lift_halt)
    with transaction.atomic():
        _claim_alert_id(alert_id)
        signal, answer = _store_alert(alert, alert_message, bypass_ticker_status, lift_halt)
        AlertReceipt.objects.filter(alert_id=alert_id).update(signal_rowid=signal.rowid)
    return signal, answer


def _claim_alert_id(alert_id: str) -> None:
    """Take ``alert_id`` for the alert being stored (in the caller's transaction), or raise
    DuplicateAlert. A concurrent claim of the same id waits on the unique index until the first
    commits, then finds it taken."""
    now = utc_now_to_second()
    # An id seen longer ago than the window is free again.
    expired = now - timedelta(seconds=settings.ALERT_DEDUPE_WINDOW)
    if AlertReceipt.objects.filter(alert_id=alert_id, received_at__lt=expired).update(
        received_at=now, signal_rowid=None
    ):
        return
    try:
        with transaction.atomic():
            AlertReceipt.objects.create(alert_id=alert_id, received_at=now)
    except IntegrityError:
        taken = AlertReceipt.objects.filter(alert_id=alert_id).first()
        raise DuplicateAlert(taken.signal_rowid if taken else None) from None


def _store_alert(
    alert: AlertFields, message: str | None, bypass: bool, lift_halt: bool = False
) -> tuple[Signal, str]:
    for attempt in range(_SNAPSHOT_ATTEMPTS):
        registry = cached_registry() if attempt == 0 else refreshed_registry()
        guard_rails = selectors.cached_risk() if attempt == 0 else refreshed_risk()
        signal = Signal(alert_message=message, **alert)
        answer = _screen(signal, bypass, registry)
        with _gated(signal, guard_rails, lift_halt) as held:
            if insert_signal(
                signal, registry_version=registry.version, risk_version=guard_rails.version
            ):
                return signal, held or answer
    while True:  # the registry read live; only a change of the guard rails sends it round
        guard_rails = refreshed_risk()
        signal = Signal(alert_message=message, **alert)
        answer = _screen(signal, bypass, LiveRegistry)
        with _gated(signal, guard_rails, lift_halt) as held:
            if insert_signal(signal, risk_version=guard_rails.version):
                return signal, held or answer


def refreshed_risk() -> selectors.RiskSnapshot:
    """The guard rails read again, named here so a test can hold them still (as it can the
    registry's snapshot)."""
    return selectors.refreshed_risk()


# --- the risk gate


def instrument_of(signal: Signal) -> str:
    """The ticker (AAPL) or pair (NMFC-ROIC) a signal trades: what limits are set on."""
    if signal.ticker_type == PAIR:
        return f"{signal.ticker1}-{signal.ticker2}"
    return signal.ticker1 or ""


def _signed(action: str, quantity: float) -> float:
    return quantity if action == "buy" else -quantity


def _lock_instrument(instrument: str) -> InstrumentExposure:
    """Take the instrument's exposure row for this transaction. An UPDATE, not a SELECT: on
    SQLite a write is what makes a second transaction wait, on PostgreSQL it locks the row."""
    for _ in range(2):
        if InstrumentExposure.objects.filter(instrument=instrument).update(checks=F("checks") + 1):
            return InstrumentExposure.objects.get(instrument=instrument)
        InstrumentExposure.objects.bulk_create(
            [InstrumentExposure(instrument=instrument)], ignore_conflicts=True
        )
    raise RuntimeError(f"no exposure row for {instrument}")  # pragma: no cover


@contextmanager
def _gated(
    signal: Signal, guard_rails: selectors.RiskSnapshot, lift_halt: bool = False
) -> Iterator[str]:
    """Around a new signal's INSERT: the risk gate, in one transaction with the INSERT when the
    instrument has limits (its lock held until the signal is stored). Gives the webhook's
    answer for a held signal, "" for one that passed."""
    stopped = guard_rails.halted and not lift_halt
    limited = signal.order_status in WAITING_STATUSES and not stopped
    limited = limited and guard_rails.limits_for(instrument_of(signal)).counts_other_orders
    if not limited:
        yield _gate(signal, guard_rails, lift_halt=lift_halt)
        return
    with transaction.atomic():
        yield _gate(signal, guard_rails, lift_halt=lift_halt)


def _gate(
    signal: Signal,
    guard_rails: selectors.RiskSnapshot,
    now: datetime | None = None,
    *,
    lift_halt: bool = False,
) -> str:
    """Hold the signal (status ``held``, the reason in ``error_msg``) when trading is halted or
    it would break one of its instrument's limits. With limits, the caller's transaction must
    keep the instrument's lock until the signal is stored. ``lift_halt``: flatten-all's
    closing orders pass a halt (not the limits). Returns the webhook's answer for a held
    signal, "" for one that passed."""
    if signal.order_status not in WAITING_STATUSES:
        return ""
    why = _refusal(signal, guard_rails, now or timezone.now(), lift_halt=lift_halt, lock=True)
    if not why:
        return ""
    signal.order_status, signal.error_msg = HELD, why
    return f"'signal' held: {why}"


def _refusal(
    signal: Signal,
    guard_rails: selectors.RiskSnapshot,
    now: datetime,
    *,
    lift_halt: bool,
    lock: bool,
) -> str:
    """Why the risk gate stops the signal, "" when it passes; ``lock`` takes the
    instrument's lock (a preview asks without it)."""
    if guard_rails.halted and not lift_halt:
        return f"risk: trading halted ({guard_rails.halt_reason or 'by staff'})"
    instrument = instrument_of(signal)
    limits = guard_rails.limits_for(instrument)
    if not limits.any:
        return ""
    # Only what a limit set needs is read: a size limit or a trading window costs no query
    # of other orders, and no lock.
    exposure = 0.0
    if limits.counts_other_orders and lock:
        exposure = _lock_instrument(instrument).filled
    elif limits.max_position is not None:
        exposure = selectors.filled_position(instrument)  # a preview: no lock
    if not limits.counts_other_orders:  # a size limit or a window: this order alone
        return risk.refusal(
            limits,
            risk.Order(
                contracts=signal.order_contracts,
                signed=int(_signed(signal.order_action, signal.order_contracts)),
                exposure_before=0.0,
                orders_last_minute=0,
                orders_today=0,
                market_closed=_market_closed(signal, now) if limits.trading_window else "",
            ),
        )
    same = selectors.signals_of_instrument(signal)
    if limits.max_position is not None:
        exposure += sum(
            _signed(action, contracts - filled)
            for action, contracts, filled in selectors.pending_orders(same, now)
        )
    minute = now - timedelta(minutes=1)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return risk.refusal(
        limits,
        risk.Order(
            contracts=signal.order_contracts,
            signed=int(_signed(signal.order_action, signal.order_contracts)),
            exposure_before=exposure,
            orders_last_minute=selectors.orders_since(same, minute)
            if limits.max_orders_per_minute is not None
            else 0,
            orders_today=selectors.orders_since(same, day_start)
            if limits.max_orders_per_day is not None
            else 0,
            market_closed=_market_closed(signal, now) if limits.trading_window else "",
        ),
    )


def _market_closed(signal: Signal, now: datetime) -> str:
    """Why a leg's market does not trade now ("" when every leg's does); a leg the registry
    does not list is taken as a US stock."""
    legs = [symbol for symbol in (signal.ticker1, signal.ticker2) if symbol]
    registered = tickers_by_symbol(legs)
    for symbol in legs:
        ticker = registered.get(symbol)
        sectype, currency = (ticker.sectype, ticker.currency) if ticker else ("STK", "USD")
        why = hours.closed(sectype, currency, now)
        if why:
            return f"{symbol}: {why}"
    return ""


def _add_to_exposure(signal: Signal, filled_before: float) -> None:
    """The service's own position in the signal's instrument moves with its leg 1 fills."""
    delta = _signed(signal.order_action, signal.filled_qty1 - filled_before)
    if delta:
        instrument = instrument_of(signal)
        _lock_instrument(instrument)
        InstrumentExposure.objects.filter(instrument=instrument).update(filled=F("filled") + delta)


def _change_risk(**changes: object) -> None:
    """Write the guard rails under a new version: every worker's copy is then stale, and an
    alert checked against one is sent round again (in the caller's transaction). Random, not
    counted up: a version rolled back (a restored database, a test) is never met again with
    other rails behind it."""
    selectors.risk_settings()
    RiskSettings.objects.filter(id=RiskSettings.SINGLETON_ID).update(
        version=getrandbits(62), **changes
    )


@transaction.atomic
def halt_trading(*, reason: str) -> int:
    """The kill switch: new signals are held and so is every one still waiting. Returns how
    many were waiting."""
    _change_risk(halted=True, halt_reason=reason)
    why = f"risk: trading halted ({reason or 'by staff'})"
    return Signal.objects.filter(order_status__in=WAITING_STATUSES).update(
        order_status=HELD, error_msg=why
    )


@transaction.atomic
def update_risk(*, changes: risk.RiskChanges) -> None:
    """Apply a PUT /v3/risk: the settings sent, and limits merged key by key (null removes
    one; an instrument left with none loses its row)."""
    settings_changes = dict(changes.settings)
    halted = settings_changes.pop("halted", None)
    reason = settings_changes.pop("halt_reason", None)
    _change_risk(**settings_changes)
    if halted is True:
        halt_trading(reason=str(reason or ""))
    elif halted is False:
        resume_trading()
    elif reason is not None:
        _change_risk(halt_reason=reason)
    named = [(InstrumentLimit.DEFAULTS, changes.defaults), *changes.instruments.items()]
    if any(limits for _, limits in named):
        _change_risk()
    for instrument, limits in named:
        if not limits:
            continue
        row, _ = InstrumentLimit.objects.get_or_create(instrument=instrument)
        for name, value in limits.items():
            setattr(row, name, value)
        if any(getattr(row, name) is not None for name in risk.LIMIT_NAMES):
            row.save()
        else:
            row.delete()


@transaction.atomic
def halt_on_losses(*, daily_loss: float | None, drawdown: float | None) -> str:
    """Halt trading when the account's loss today or its drawdown from its peak reaches the
    limit set for it; the reason, or "" when trading goes on (or was halted already)."""
    guard_rails = selectors.risk_settings()
    if guard_rails.halted:
        return ""
    reason = ""
    limit = guard_rails.daily_loss_limit
    if limit is not None and daily_loss is not None and daily_loss >= limit:
        reason = f"daily loss {daily_loss:.2f} reached daily_loss_limit {limit:g}"
    limit = guard_rails.max_drawdown
    if not reason and limit is not None and drawdown is not None and drawdown >= limit:
        reason = f"drawdown {drawdown:.2f} reached max_drawdown {limit:g}"
    if reason:
        halt_trading(reason=reason)
    return reason


@transaction.atomic
def resume_trading() -> None:
    """Trading goes on; held signals stay held until staff release them one by one."""
    _change_risk(halted=False, halt_reason="")


def _locked(rowid: int) -> Signal:
    signal = Signal.objects.select_for_update().filter(rowid=rowid).first()
    if signal is None:
        raise NotFound()
    return signal


@transaction.atomic
def release_signal(*, rowid: int, now: datetime | None = None) -> Signal:
    """A held signal goes through the gate again, its age included: it waits for the bridge,
    is held again (the new reason said) or expires."""
    signal = _locked(rowid)
    if signal.order_status != HELD:
        raise RuleViolated(f"signal #{rowid} is {signal.order_status}, not held.")
    now = now or timezone.now()
    age = (now - signal.timestamp).total_seconds()
    limit = selectors.risk_settings().max_signal_age
    if age > limit:
        signal.order_status = EXPIRED
        signal.error_msg = f"expired: {age:.0f} s old when released (max_signal_age {limit} s)"
    else:
        signal.order_status, signal.error_msg = "waiting", None
        _gate(signal, selectors.refreshed_risk(), now)
    signal.save(update_fields=["order_status", "error_msg"])
    return signal


@transaction.atomic
def cancel_signal(*, rowid: int) -> Signal:
    """Staff cancel a signal no bridge has taken yet (waiting or held)."""
    signal = _locked(rowid)
    if signal.order_status not in (*WAITING_STATUSES, HELD):
        raise RuleViolated(
            f"signal #{rowid} is {signal.order_status}: only a waiting or held "
            "signal can be canceled."
        )
    signal.order_status, signal.status_msg = "canceled", "canceled by staff"
    signal.save(update_fields=["order_status", "status_msg"])
    return signal


@transaction.atomic
def expire_stale_signals(*, now: datetime) -> list[Signal]:
    """Signals still waiting past max_signal_age become ``expired``, each saying how old it
    was (the waiting list left them out from that instant already)."""
    limit = selectors.risk_settings().max_signal_age
    stale = list(
        Signal.objects.select_for_update()
        .filter(order_status__in=WAITING_STATUSES, timestamp__lt=now - timedelta(seconds=limit))
        .order_by("rowid")
    )
    for signal in stale:
        age = (now - signal.timestamp).total_seconds()
        signal.order_status = EXPIRED
        signal.error_msg = f"expired: waited {age:.0f} s for a bridge (max_signal_age {limit} s)"
        signal.save(update_fields=["order_status", "error_msg"])
    return stale


@transaction.atomic
def update_signal(
    *, rowid: int, bypass_ticker_status: bool = False, **changes: Unpack[SignalChanges]
) -> Signal:
    """Apply a bridge's edit of a signal: present keys replace, absent keys keep their values,
    and the expression is checked again. A signal put back in the waiting list (a bridge's
    ``rerouted``) passes the risk gate again, as a new one would."""
    signal = Signal.objects.select_for_update().filter(rowid=rowid).first()
    if signal is None:
        raise NotFound()
    was_waiting = signal.order_status in WAITING_STATUSES
    for key, value in changes.items():
        setattr(signal, key, value)
    _screen(signal, bypass_ticker_status, LiveRegistry)
    if not was_waiting:
        _gate(signal, selectors.refreshed_risk())
    signal.save()
    return signal


_FILL_FIELDS = [f.name for f in fields(FillState)]


def _locked_newest_with_leg(
    order_id: int, symbols: list[str] | None
) -> tuple[Signal | None, int | None]:
    """The newest signal with a leg (order id, one of ``symbols``), row-locked, and that leg's
    number; (None, None) when there is none. Without symbols, any leg with the order id."""
    leg1 = Q(order_id1=order_id)
    leg2 = Q(order_id2=order_id)
    if symbols is not None:
        leg1 &= Q(ticker1__in=symbols)
        leg2 &= Q(ticker2__in=symbols)
    signal = Signal.objects.select_for_update().filter(leg1 | leg2).order_by("-rowid").first()
    if signal is None:
        return None, None
    on_leg1 = signal.order_id1 == order_id and (symbols is None or signal.ticker1 in symbols)
    return signal, 1 if on_leg1 else 2


def _locked_signal_for_report(
    order_id: int, symbol: str | None
) -> tuple[Signal | None, int | None]:
    """The signal a fill report is about: by order id and leg symbol, where a forex leg may be
    named by its base currency (the broker reports ``EUR.USD`` fills as ``EUR``)."""
    if symbol is None:
        return _locked_newest_with_leg(order_id, None)
    signal, leg = _locked_newest_with_leg(order_id, [symbol])
    if signal is None and ticker_by_symbol(symbol) is None:
        forex = forex_symbols_with_base(symbol)
        if forex:
            signal, leg = _locked_newest_with_leg(order_id, forex)
    return signal, leg


@transaction.atomic
def record_fill(
    *,
    order_id: int,
    symbol: str | None = None,
    price: float | None = None,
    filled_qty: float | None = None,
    cancel: bool = False,
) -> Signal:
    """Apply a broker's fill report (or cancel) to the newest signal with that leg's order id.

    The signal row is locked first: reports for the two legs of one signal may arrive at the same
    moment on two workers, and each must see the other's leg.
    """
    signal, leg = _locked_signal_for_report(order_id, symbol)
    if signal is None:
        raise NotFound()
    state = FillState(**{name: getattr(signal, name) for name in _FILL_FIELDS})
    if cancel:
        new_state = apply_cancel(state)
    elif leg is None or price is None or filled_qty is None:
        raise RuleViolated("a fill report needs a symbol, a price and a filled quantity.")
    else:
        new_state = apply_fill(state, leg, price, filled_qty)
    changed = [name for name, value in asdict(new_state).items() if getattr(signal, name) != value]
    filled_before = signal.filled_qty1
    for name in changed:
        setattr(signal, name, getattr(new_state, name))
    _add_to_exposure(signal, filled_before)
    if "order_status" in changed and signal.order_status == FILLED and signal.filled_at is None:
        signal.filled_at = timezone.now()
        changed.append("filled_at")
    if changed:
        signal.save(update_fields=changed)
    return signal


@transaction.atomic
def delete_signal(*, rowid: int) -> None:
    if not Signal.objects.filter(rowid=rowid).delete()[0]:
        raise NotFound()


@transaction.atomic
def cancel_waiting_signals(*, signals: QuerySet[Signal], reason: str = "canceled by staff") -> int:
    """Cancel the given signals that are still waiting or held (the admin's action). Returns
    how many."""
    return signals.filter(order_status__in=(*WAITING_STATUSES, HELD)).update(
        order_status="canceled", status_msg=reason
    )


# How long a just-stored alert waits before it is compared with the one before it.
_SETTLING = timedelta(seconds=2)


def _position(side: str | None, size: int | None) -> str:
    return f"{(side or '').lower() or '?'} {size if size is not None else '?'}"


def _missed_between(previous: Signal, signal: Signal) -> str | None:
    """What does not match when ``signal``'s position before is not ``previous``'s after."""
    before = ((signal.pre_mar_pos or "").lower(), signal.pre_mar_pos_size)
    after = ((previous.mar_pos or "").lower(), previous.mar_pos_size)
    if before == after:
        return None
    return (
        f"before: {_position(signal.pre_mar_pos, signal.pre_mar_pos_size)}; "
        f"#{previous.rowid} left {_position(previous.mar_pos, previous.mar_pos_size)}"
    )


@transaction.atomic
def mark_missed_alerts(
    *, after_rowid: int, now: datetime, limit: int = 500
) -> tuple[list[Signal], int]:
    """Mark the alerts stored after ``after_rowid`` whose market position before does not match
    the previous alert's after, for the same ticker or pair. Returns (the newly marked, the
    rowid to continue after).

    Signals stored in the last seconds wait for the next call: a row with a lower rowid may
    still be committing, and the comparison needs it.
    """
    settled_before = now - _SETTLING
    candidates = list(Signal.objects.filter(rowid__gt=after_rowid).order_by("rowid")[:limit])
    marked, cursor = [], after_rowid
    for signal in candidates:
        if settled_before < signal.timestamp <= now:
            break
        cursor = signal.rowid
        if signal.ticker_type is None or signal.pre_mar_pos is None or signal.missed_alert:
            continue
        previous = (
            Signal.objects.filter(
                ticker1=signal.ticker1,
                ticker2=signal.ticker2,
                ticker_type=signal.ticker_type,
                rowid__lt=signal.rowid,
                mar_pos__isnull=False,
            )
            .order_by("-rowid")
            .first()
        )
        mismatch = previous and _missed_between(previous, signal)
        if mismatch:
            Signal.objects.filter(rowid=signal.rowid).update(missed_alert=mismatch)
            signal.missed_alert = mismatch
            marked.append(signal)
    return marked, cursor


def plan_manual_order(
    *, instrument: str, kind: str, contracts: int | None = None
) -> list[PlannedSignal]:
    """The signals a staff member's order stands for: a ticker's one; a pair's one, and for a
    close or revert one more for leg 2's rest, from the legs' actual positions. Raises
    NotFound for an instrument not registered, RuleViolated when no order can be made."""
    held = holding_of(instrument)
    if held is None:
        raise NotFound(f"no ticker or pair '{instrument}' is registered.")
    try:
        if held.pair is None:
            order = manual_order(kind, held.position, contracts)
            return [PlannedSignal(instrument, order.action, order.contracts)]
        pair = held.pair
        legs = tickers_by_symbol([pair.ticker1, pair.ticker2])
        return pair_orders(
            kind,
            ticker1=pair.ticker1,
            ticker2=pair.ticker2,
            hedge=pair.hedge,
            position1=legs[pair.ticker1].active_pos if pair.ticker1 in legs else 0.0,
            position2=legs[pair.ticker2].active_pos if pair.ticker2 in legs else 0.0,
            contracts=contracts,
        )
    except NoOrder as error:
        raise RuleViolated(str(error)) from None


def plan_flatten_all() -> list[PlannedSignal]:
    """A closing order for every ticker holding a position, pair legs included, each of its
    exact size (a fraction of a unit is left: orders are whole contracts)."""
    return [
        PlannedSignal(ticker.symbol, "sell" if ticker.active_pos > 0 else "buy", size, True)
        for ticker in tickers_holding_positions()
        if (size := int(abs(ticker.active_pos))) >= 1
    ]


def _place_planned(
    planned: list[PlannedSignal], *, comment: str, token: str | None, lift_halt: bool = False
) -> list[Signal]:
    """Store the planned signals, all or none. With ``token`` (the form's, used once), the same
    submission again raises DuplicateAlert naming the first signal it made."""
    made = []
    with transaction.atomic():
        for number, order in enumerate(planned):
            signal, _ = ingest_signal(
                ticker=order.expression,
                order_action=order.action,
                order_contracts=order.contracts,
                order_comment=comment,
                # A pair's leg is no single of its own: its rest is placed all the same.
                bypass_ticker_status=order.stub,
                alert_id=None if token is None else f"{token}:{number}",
                lift_halt=lift_halt,
            )
            made.append(signal)
    return made


def place_manual_order(
    *, instrument: str, kind: str, contracts: int | None = None, token: str | None = None
) -> list[Signal]:
    """A staff member's order from the console, made into signals exactly as alerts are (the
    same checks, the risk gate, the same way to the bridge); who placed it is each signal's
    ``created_by``."""
    planned = plan_manual_order(instrument=instrument, kind=kind, contracts=contracts)
    token = None if token is None else f"manual:{token}"
    return _place_planned(planned, comment=f"manual {kind}", token=token)


def flatten_all(*, token: str | None = None) -> list[Signal]:
    """Close every position: one closing signal per ticker, through the risk gate with the
    halt lifted for them alone."""
    token = None if token is None else f"flatten:{token}"
    return _place_planned(plan_flatten_all(), comment="flatten all", token=token, lift_halt=True)


def risk_preview(order: PlannedSignal, now: datetime | None = None) -> str:
    """What the service's checks and the risk gate would say of a planned signal now ("" when
    it would wait for a bridge); nothing is stored or locked."""
    signal = Signal(
        ticker=order.expression, order_action=order.action, order_contracts=order.contracts
    )
    _screen(signal, order.stub, LiveRegistry)
    if signal.order_status not in WAITING_STATUSES:
        return f"{signal.order_status}: {signal.status_msg}"
    guard_rails = selectors.refreshed_risk()
    return _refusal(signal, guard_rails, now or timezone.now(), lift_halt=False, lock=False)
