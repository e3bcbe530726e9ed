"""The bridge's loop: take each waiting signal, place it once, write the order ids back, and
report fills, broker messages, positions and the account as they change."""

import logging
import threading
import time
from typing import Any

from .brokers.base import CANCELED, Broker, BrokerUnavailable, PlacedOrder
from .client import ServiceClient, ServiceError
from .orders import WAITING, Instrument, leg_orders, paper_prices, rowid_of_ref

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
        leg2_default: float = 100.0,
        long_poll_seconds: int = 25,
        account_every: float = 5.0,
        report_every: float = 1.0,
        list_every: float = 60.0,
    ) -> None:
        self.client = client
        self.broker = broker
        self.leg2_default = leg2_default
        self.long_poll_seconds = long_poll_seconds
        # Placing and reporting share what is placed: a fill is not reported before the
        # signal carries the order's id.
        self.lock = threading.RLock()
        self.reported: dict[str, float] = {}  # order ref → cumulative quantity reported
        self.told: dict[str, str] = {}  # order ref → the broker's message written back
        # Orders whose fills may still need reporting: all the broker knows once it can be
        # asked, then each one placed; an order leaves once everything about it is reported.
        self.unreported: dict[str, PlacedOrder] = {}
        self.broker_orders_read = False
        self.instruments: dict[str, tuple[float, Instrument]] = {}
        # Positions and the account go out at most this often: fills come first.
        self.account_every = account_every
        self.report_every = report_every
        self.accounted_at: float | None = None
        self.positions_changed = False
        # While it follows the stream, the waiting list is read again this often: a change the
        # stream passed over (its transaction stayed open past the service's settling wait) is
        # still taken, within this long rather than never.
        self.list_every = list_every

    # --- one signal

    def take(self, signal: dict[str, Any]) -> bool:
        """Place a waiting signal (once) and write its order ids back; whether it was taken."""
        current = self.client.signal(signal["rowid"])  # a stream's copy may be old
        if current["order_status"] not in WAITING:
            return False
        symbols = [current["ticker1"]]
        if current.get("ticker_type") == "pair":
            symbols.append(current["ticker2"])
        legs = leg_orders(current, {symbol: self._instrument(symbol) for symbol in symbols})
        known = {s: p for s in symbols if (p := self._known_price(s)) is not None}
        prices = paper_prices(current, known, self.leg2_default)
        with self.lock:
            placed = []
            for leg in legs:
                # What a bridge that stopped half-way already placed is found, not placed again.
                already = self.broker.find(leg.ref)
                placed.append(already or self.broker.place(leg, prices[leg.leg]))
                self.unreported[leg.ref] = placed[-1]
            ids = {
                f"order_id{leg.leg}": order.order_id
                for leg, order in zip(legs, placed, strict=True)
            }
            self.client.write_back(current["rowid"], order_status="created", **ids)
        logger.info("signal #%s placed: %s", current["rowid"], ids)
        return True

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

    def _known_price(self, symbol: str) -> float | None:
        price = self.broker.last_price(symbol)
        return price if price is not None else self.client.last_fill_price(symbol)

    # --- what the broker did

    def report(self) -> None:
        """Let the broker move on, and report every fill, broker message, position and the
        account that changed since the last report."""
        with self.lock:
            self.broker.advance()
            if not self.broker_orders_read:  # once the broker can be asked
                for order in self.broker.orders():
                    self.unreported.setdefault(order.ref, order)
                self.broker_orders_read = True
            for ref, order in list(self.unreported.items()):
                order = self.broker.find(ref) or order
                if self._report_order(order):
                    del self.unreported[ref]
                    self.reported.pop(ref, None)
                    self.told.pop(ref, None)
        due = self.accounted_at is None or (
            self.positions_changed and time.monotonic() - self.accounted_at >= self.account_every
        )
        if due:
            self._report_positions_and_account()

    def _report_order(self, order: PlacedOrder) -> bool:
        """Send what is new about one order; whether nothing more will come of it."""
        rowid = rowid_of_ref(order.ref)
        if order.filled > self.reported.get(order.ref, 0) and order.average_price:
            try:
                self.client.report_fill(
                    order_id=order.order_id,
                    symbol=order.symbol,
                    price=order.average_price,
                    filled_qty=order.filled,
                )
            except ServiceError as error:
                if error.status != 404:
                    raise
                logger.warning("fill of order %s: no such signal", order.order_id)
            self.reported[order.ref] = order.filled
            self.positions_changed = True
        told = self.told.get(order.ref, "")
        if rowid is not None and order.status == CANCELED and not told.startswith("canceled"):
            # The broker rejected or canceled it: the signal says so, with the broker's words.
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

    def _report_positions_and_account(self) -> None:
        for position in self.broker.positions():
            try:
                self.client.report_position(
                    symbol=position.symbol,
                    position=position.quantity,
                    pnl=position.unrealized_pnl,
                    cost=position.average_cost,
                )
            except ServiceError as error:  # a ticker the service does not list
                logger.warning("position of %s not reported: %s", position.symbol, error)
        self.client.report_account(self.broker.account())
        self.accounted_at = time.monotonic()
        self.positions_changed = False

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
