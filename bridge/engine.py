"""The bridge's loop: take each waiting signal, place it once, write the order ids back, and
report fills, broker messages, positions and the account as they change."""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .brokers.base import CANCELED, OPEN, Broker, BrokerUnavailable, PlacedOrder, Position
from .client import ServiceClient, ServiceError
from .orders import (
    WAITING,
    Instrument,
    LegOrder,
    OrderRefused,
    Quote,
    leg_of_ref,
    leg_orders,
    leg_ref,
    newest,
    rowid_of_ref,
    signal_time,
)

logger = logging.getLogger("bridge")

_RETRY_SECONDS = (0.5, 1, 2, 5, 10)
# A ticker's registration (its contract and order type) is read again after this long.
_INSTRUMENT_SECONDS = 60.0


def _pause(failures: int) -> float:
    return _RETRY_SECONDS[min(failures, len(_RETRY_SECONDS) - 1)]


class Bridge:
    def __init__(
        self,
        client: ServiceClient,
        broker: Broker,
        *,
        long_poll_seconds: int = 25,
        refresh_every: float = 60.0,
        report_every: float = 1.0,
        list_every: float = 60.0,
        max_signal_age: float = 120.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.broker = broker
        self.long_poll_seconds = long_poll_seconds
        # Placing and reporting share what is placed: a fill is not reported before the
        # signal carries the order's id.
        self.lock = threading.RLock()
        # Set as the bridge is asked to stop: nothing more is placed, write-backs finish.
        self.stopping = threading.Event()
        self.reported: dict[str, float] = {}  # order ref → cumulative quantity reported
        self.told: dict[str, str] = {}  # order ref → the broker's message written back
        # Orders whose fills may still need reporting: all the broker knows once it can be
        # asked, then each one placed; an order leaves once everything about it is reported.
        self.unreported: dict[str, PlacedOrder] = {}
        self.broker_orders_read = False
        self.instruments: dict[str, tuple[float, Instrument]] = {}
        # The one mapping from what the broker names to what the service names: an order's
        # leg symbol by its reference, a position's symbol by the broker's spellings.
        self.leg_symbols: dict[str, str] = {}
        self.position_symbols: dict[tuple[str, ...], str] = {}
        self.held: set[str] = set()  # symbols last reported with a position: flat is told too
        # Positions and the account go out this often, and soon after each fill.
        self.refresh_every = refresh_every
        self.report_every = report_every
        self.accounted_at: float | None = None
        self.positions_changed = False
        # While it follows the stream, the waiting list is read again this often: a change the
        # stream passed over (its transaction stayed open past the service's settling wait) is
        # still taken, within this long rather than never.
        self.list_every = list_every
        self.max_signal_age = max_signal_age
        self.clock = clock

    # --- one signal

    def take(self, signal: dict[str, Any]) -> bool:
        """Place a waiting signal (once) and write its order ids back; whether it was placed."""
        if self.stopping.is_set():
            return False
        current = self.client.signal(signal["rowid"])  # a stream's copy may be old
        if current["order_status"] not in WAITING:
            return False
        rowid = current["rowid"]
        made_at = signal_time(current)
        age = self.clock() - made_at if made_at is not None else 0.0
        # An order a stopped run placed for it is at the broker whatever the signal's age: its
        # ids are written back below, never a cancel over a live order.
        if age > self.max_signal_age and not self._placed_before(rowid):
            self.client.write_back(
                rowid,
                order_status="canceled",
                error_msg=f"not placed: the signal was {age:.0f} s old when the bridge took it "
                f"(--max-signal-age {self.max_signal_age:g} s)",
            )
            logger.warning("signal #%s not placed: %.0f s old", rowid, age)
            return False
        try:
            legs = self._legs_of(current)
        except OrderRefused as refused:
            return self._refuse(rowid, refused)
        note = self._stacked_on(legs)
        with self.lock:
            if self.stopping.is_set():
                return False
            try:
                placed = self.broker.place(legs)
            except OrderRefused as refused:
                return self._refuse(rowid, refused)
            for leg, order in zip(legs, placed, strict=True):
                self.unreported[leg.ref] = order
                self.leg_symbols[leg.ref] = leg.symbol
            ids = {
                f"order_id{leg.leg}": order.order_id
                for leg, order in zip(legs, placed, strict=True)
            }
            extra = {"error_msg": note} if note else {}
            self.client.write_back(rowid, order_status="created", **ids, **extra)
        logger.info("signal #%s placed: %s%s", rowid, ids, f" ({note})" if note else "")
        return True

    def _legs_of(self, signal: dict[str, Any]) -> list[LegOrder]:
        """The signal's orders, each with its contract and the newest price of its leg."""
        symbols = [signal["ticker1"]]
        if signal.get("ticker_type") == "pair":
            symbols.append(signal["ticker2"])
        instruments = {symbol: self._instrument(symbol) for symbol in symbols}
        quotes = {s: q for s in symbols if (q := self._newest_price(s)) is not None}
        return leg_orders(signal, instruments, quotes)

    def _placed_before(self, rowid: int) -> bool:
        return any(self.broker.find(leg_ref(rowid, leg)) is not None for leg in (1, 2))

    def _refuse(self, rowid: int, refused: OrderRefused) -> bool:
        """The signal could not become an order: it says why; the bridge goes on."""
        self.client.write_back(rowid, order_status="error", error_msg=str(refused))
        logger.error("signal #%s not placed: %s", rowid, refused)
        return False

    def _stacked_on(self, legs: list[LegOrder]) -> str:
        """Words for the signal when an earlier order for one of its instruments is still
        working: the new one goes in after it, said rather than silent."""
        working = []
        for leg in legs:
            for ref, order in self.unreported.items():
                if (
                    self.leg_symbols.get(ref) == leg.symbol
                    and rowid_of_ref(ref) != leg.signal_rowid
                    and order.status == OPEN
                    and order.filled < order.quantity
                ):
                    working.append(
                        f"signal #{rowid_of_ref(ref)}'s order for {leg.symbol} "
                        f"({order.filled:g} of {order.quantity} filled)"
                    )
        if not working:
            return ""
        return "placed while " + ", ".join(dict.fromkeys(working)) + " was still working"

    def _instrument(self, symbol: str) -> Instrument:
        cached = self.instruments.get(symbol)
        if cached is not None and time.monotonic() - cached[0] < _INSTRUMENT_SECONDS:
            return cached[1]
        try:
            instrument = Instrument.of_ticker(self.client.ticker(symbol))
        except ServiceError as error:
            if error.status != 404:
                raise
            instrument = Instrument()  # a signal sent past the registry: a plain stock
        self.instruments[symbol] = (time.monotonic(), instrument)
        return instrument

    def _newest_price(self, symbol: str) -> Quote | None:
        """The newest of a price posted to the service and this broker's last fill (in the
        same second, the posted price)."""
        return newest(self.client.newest_price(symbol), self.broker.last_fill(symbol))

    def _leg_symbol(self, order: PlacedOrder) -> str:
        """The signal leg's own spelling of an order's symbol (EURUSD, not IB's EUR.USD)."""
        symbol = self.leg_symbols.get(order.ref)
        if symbol is None:
            rowid, leg = rowid_of_ref(order.ref), leg_of_ref(order.ref)
            if rowid is None or leg is None:
                return order.symbol
            signal = self.client.signal(rowid)
            symbol = signal["ticker1"] if leg == 1 else signal["ticker2"]
            self.leg_symbols[order.ref] = symbol
        return symbol

    # --- what the broker did

    def report(self) -> None:
        """Let the broker move on, and report every fill, broker message, position and the
        account that changed since the last report. A write-back the service refuses (the
        signal was deleted) drops that order; the others go on."""
        with self.lock:
            self.broker.advance()
            if not self.broker_orders_read:  # once the broker can be asked
                for order in self.broker.orders():
                    self.unreported.setdefault(order.ref, order)
                self.broker_orders_read = True
            for ref, order in list(self.unreported.items()):
                order = self.broker.find(ref) or order
                try:
                    finished = self._report_order(order)
                except ServiceError as error:
                    if not error.refused:
                        raise
                    logger.warning(
                        "order %s (%s) no longer followed: %s", order.order_id, ref, error
                    )
                    finished = True
                if finished:
                    del self.unreported[ref]
                    self.reported.pop(ref, None)
                    self.told.pop(ref, None)
        stale = (
            self.accounted_at is None or time.monotonic() - self.accounted_at >= self.refresh_every
        )
        if stale or self.positions_changed:
            self._report_positions_and_account()

    def _report_order(self, order: PlacedOrder) -> bool:
        """Send what is new about one order; whether nothing more will come of it."""
        rowid = rowid_of_ref(order.ref)
        if order.filled > self.reported.get(order.ref, 0) and order.average_price:
            self.client.report_fill(
                order_id=order.order_id,
                symbol=self._leg_symbol(order),
                price=order.average_price,
                filled_qty=order.filled,
            )
            self.reported[order.ref] = order.filled
            self.positions_changed = True
        told = self.told.get(order.ref, "")
        if rowid is not None and order.status == CANCELED:
            # The broker rejected or canceled it: the signal says so, with the broker's words
            # (written again when its words come after its status).
            if told != f"canceled: {order.message}":
                why = order.message or "canceled by the broker"
                self.client.write_back(rowid, order_status="canceled", error_msg=why)
                self.told[order.ref] = f"canceled: {order.message}"
                logger.warning("order %s (%s) canceled: %s", order.order_id, order.ref, why)
        elif rowid is not None and order.message and order.message != told:
            # A warning (IB's 399...) on a live order: shown, the order left alone.
            self.client.write_back(rowid, error_msg=order.message)
            self.told[order.ref] = order.message
        finished = order.done and self.reported.get(order.ref, 0) == order.filled
        if finished:
            logger.info(
                "order %s (%s) done: %s of %s at %s, commission %s",
                order.order_id,
                order.ref,
                order.filled,
                order.quantity,
                order.average_price,
                order.commission,
            )
        return finished

    def _position_symbol(self, position: Position) -> str | None:
        """The service's name of a position: the broker's when it knows it, else the first of
        its spellings the service lists as a ticker."""
        if position.symbol:
            return position.symbol
        if position.spellings not in self.position_symbols:
            found = ""
            for spelling in position.spellings:
                try:
                    found = self.client.ticker(spelling)["symbol"]
                    break
                except ServiceError as error:
                    if not error.refused:
                        raise
            if not found:
                logger.warning("position in %s: no such ticker in the service", position.spellings)
            self.position_symbols[position.spellings] = found
        return self.position_symbols[position.spellings] or None

    def _report_positions_and_account(self) -> None:
        reported = set()
        for position in self.broker.positions():
            symbol = self._position_symbol(position)
            if symbol is None:
                continue
            self._report_position(
                symbol, position.quantity, position.unrealized_pnl, position.average_cost
            )
            reported.add(symbol)
            if position.quantity:
                self.held.add(symbol)
            else:
                self.held.discard(symbol)
        for symbol in sorted(self.held - reported):  # gone from the broker's list: flat
            self._report_position(symbol, 0.0, 0.0, 0.0)
            self.held.discard(symbol)
        self.client.report_account(self.broker.account())
        self.accounted_at = time.monotonic()
        self.positions_changed = False

    def _report_position(self, symbol: str, quantity: float, pnl: float, cost: float) -> None:
        try:
            self.client.report_position(symbol=symbol, position=quantity, pnl=pnl, cost=cost)
        except ServiceError as error:
            if not error.refused:
                raise
            logger.warning("position of %s not reported: %s", symbol, error)

    def keep_reporting(self, stop: threading.Event) -> None:
        """Report as the broker's news comes (and every ``report_every`` seconds), while the
        stream is quiet."""
        failures = 0
        while not stop.is_set():
            self.broker.wait_for_news(self.report_every)
            try:
                self.report()
                failures = 0
            except (ServiceError, BrokerUnavailable) as error:
                pause = _pause(failures)
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    logger.warning("reporting: %s; again in %s s", error, pause)
                stop.wait(pause)

    # --- following the service

    def take_all(self, signals: list[dict[str, Any]]) -> None:
        for signal in sorted(signals, key=lambda s: s["rowid"]):
            self._take_or_log(signal)
        self.report()

    def _take_or_log(self, signal: dict[str, Any]) -> None:
        try:
            self.take(signal)
        except ServiceError as error:
            if not error.refused:  # the service is away: the caller reconnects
                raise
            logger.error("signal #%s not taken: %s", signal.get("rowid"), error)

    def follow(self, stop: threading.Event) -> None:
        """Follow the signal stream, reconnecting where it left off; while the stream cannot
        be had, hold the waiting list open instead (the long poll). A reporting thread sends
        the broker's news meanwhile."""
        self.stopping = stop
        finished = threading.Event()
        reporter = threading.Thread(
            target=self.keep_reporting, args=(finished,), name="reporter", daemon=True
        )
        reporter.start()
        try:
            self._follow(stop)
        finally:
            finished.set()
            reporter.join(10)

    def _follow(self, stop: threading.Event) -> None:
        last_event_id = None
        failures = 0
        while not stop.is_set():
            try:
                events = self.client.stream(last_event_id)
                opening = next(events)  # the stream is open: nothing from here on is missed
                last_event_id = opening.event_id
                self.take_all(self.client.waiting())
                listed_at = time.monotonic()
                failures = 0
                for event in events:  # heartbeats too, so the list is read even when quiet
                    last_event_id = event.event_id
                    if event.signal is not None:
                        self._take_or_log(event.signal)
                        self.report()
                    if time.monotonic() - listed_at >= self.list_every:
                        self.take_all(self.client.waiting())
                        listed_at = time.monotonic()
                    if stop.is_set():
                        return
            except BrokerUnavailable as error:
                # The stream is left: the waiting list is read again once the broker is back.
                pause = _pause(failures)
                failures += 1
                logger.warning("broker: %s; again in %s s", error, pause)
                stop.wait(pause)
            except (ServiceError, StopIteration) as error:
                logger.warning("stream: %s; waiting on the list instead", error)
                try:
                    self.take_all(self.client.waiting(wait=self.long_poll_seconds))
                    failures = 0
                except (ServiceError, BrokerUnavailable) as down:
                    pause = _pause(failures)
                    failures += 1
                    logger.warning("%s; again in %s s", down, pause)
                    stop.wait(pause)
