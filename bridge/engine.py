"""The bridge's loop: take each waiting signal, place it once, write the order ids back, and
report fills, positions and the account as they change."""

import logging
import threading
import time
from typing import Any

from .brokers.base import Broker
from .client import ServiceClient, ServiceError
from .orders import WAITING, leg_orders, paper_prices

logger = logging.getLogger("bridge")

_RETRY_SECONDS = (0.5, 1, 2, 5, 10)


class Bridge:
    def __init__(
        self,
        client: ServiceClient,
        broker: Broker,
        *,
        leg2_default: float = 100.0,
        long_poll_seconds: int = 25,
        account_every: float = 5.0,
    ) -> None:
        self.client = client
        self.broker = broker
        self.leg2_default = leg2_default
        self.long_poll_seconds = long_poll_seconds
        self.reported: dict[int, float] = {}  # order id → cumulative quantity reported
        # Orders whose fills may still need reporting: all the broker knows at start, then
        # each one placed; an order leaves once reported complete.
        self.unreported = {order.ref: order for order in broker.orders()}
        # Positions and the account go out at most this often: fills come first.
        self.account_every = account_every
        self.accounted_at: float | None = None
        self.positions_changed = False

    # --- one signal

    def take(self, signal: dict[str, Any]) -> bool:
        """Place a waiting signal (once) and write its order ids back; whether it was taken."""
        current = self.client.signal(signal["rowid"])  # a stream's copy may be old
        if current["order_status"] not in WAITING:
            return False
        legs = leg_orders(current)
        symbols = [leg.symbol for leg in legs]
        known = {s: p for s in symbols if (p := self._known_price(s)) is not None}
        prices = paper_prices(current, known, self.leg2_default)
        placed = []
        for leg in legs:
            # What a bridge that stopped half-way already placed is found, not placed again.
            already = self.broker.find(leg.ref)
            placed.append(already or self.broker.place(leg, prices[leg.leg]))
            self.unreported[leg.ref] = placed[-1]
        ids = {
            f"order_id{leg.leg}": order.order_id for leg, order in zip(legs, placed, strict=True)
        }
        self.client.write_back(current["rowid"], order_status="created", **ids)
        logger.info("signal #%s placed: %s", current["rowid"], ids)
        return True

    def _known_price(self, symbol: str) -> float | None:
        price = self.broker.last_price(symbol)
        return price if price is not None else self.client.last_fill_price(symbol)

    # --- what the broker did

    def report(self) -> None:
        """Let the broker move on, and report every fill, position and the account that
        changed since the last report."""
        self.broker.advance()
        for ref, order in list(self.unreported.items()):
            order = self.broker.find(ref) or order
            if order.filled >= order.quantity and self.reported.get(order.order_id) == order.filled:
                del self.unreported[ref]
                del self.reported[order.order_id]
                continue
            if order.filled > self.reported.get(order.order_id, 0) and order.average_price:
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
                self.reported[order.order_id] = order.filled
                self.positions_changed = True
        due = self.accounted_at is None or (
            self.positions_changed and time.monotonic() - self.accounted_at >= self.account_every
        )
        if due:
            self._report_positions_and_account()

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
        be had, hold the waiting list open instead (the long poll)."""
        last_event_id = None
        failures = 0
        while not stop.is_set():
            try:
                events = self.client.stream(last_event_id)
                opening = next(events)  # the stream is open: nothing from here on is missed
                last_event_id = opening.event_id
                self.take_all(self.client.waiting())
                failures = 0
                for event in events:
                    last_event_id = event.event_id
                    if event.signal is not None:
                        self._take_or_log(event.signal)
                    self.report()
                    if stop.is_set():
                        return
            except (ServiceError, StopIteration) as error:
                logger.warning("stream: %s; waiting on the list instead", error)
                try:
                    self.take_all(self.client.waiting(wait=self.long_poll_seconds))
                    failures = 0
                except ServiceError as down:
                    pause = _RETRY_SECONDS[min(failures, len(_RETRY_SECONDS) - 1)]
                    failures += 1
                    logger.warning("service: %s; again in %s s", down, pause)
                    stop.wait(pause)
