"""A broker that trades like a market without one: each leg fills at the newest price known for
it (a price posted to the service, the alert's own price, or its own last fill, newest first),
a limit order only at or better than its limit, with slippage, commissions and partial fills if
asked; orders past the account's buying power and US stock orders outside the exchange's hours
are refused in a broker's words. A pair's leg 2 fills only as leg 1 does, in the pair's ratio.
Its book is kept in a JSON file, so a restarted bridge knows what it placed."""

import functools
import json
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..orders import LegOrder, OrderRefused, Quote, newest, with_slippage
from .base import FILLED, PlacedOrder, Position
from .ledger import Holding, after_fill

# The book keeps every unfinished order and this many of the newest: enough to recognise what a
# restarted bridge placed, without rewriting a book that grows forever.
KEEP_ORDERS = 200
# Initial margin as a share of a position's value, as a margin account at IB asks by default
# (Reg T for US stocks; forex and crypto as IB's paper accounts have them); maintenance is half.
INITIAL_MARGIN = {"STK": 0.5, "CASH": 0.03, "CRYPTO": 1.0}
# Forex and crypto commissions: a share of the value and a least amount an order.
OTHER_COMMISSIONS = {"CASH": (0.00002, 2.0), "CRYPTO": (0.0018, 1.75)}
NEW_YORK = ZoneInfo("America/New_York")
# US stocks outside regular hours: what IB's extended hours span on a trading day.
EXTENDED_HOURS = (4, 20)


@dataclass
class Working:
    """An order not yet wholly filled: a limit waiting for its price, the rest of a partial
    fill, or a pair's leg 2 following leg 1."""

    ref: str
    symbol: str
    action: str
    limit: float | None
    sectype: str
    parent: str = ""  # leg 1's reference, for a pair's leg 2
    hedge: float = 0.0


@functools.cache
def _new_york_calendar() -> Any:
    """Built once a process (about a second): the first order need not wait for it."""
    import exchange_calendars  # loaded by the paper broker only: it brings pandas

    return exchange_calendars.get_calendar("XNYS")


class UsStockHours:
    """Whether the New York stock market takes orders at a moment, from a maintained exchange
    calendar (holidays and early closes included)."""

    def __init__(self) -> None:
        self.calendar = _new_york_calendar()

    def refusal(self, moment: float, extended: bool) -> str:
        import pandas

        stamp = pandas.Timestamp(moment, unit="s", tz="UTC")
        try:
            if self.calendar.is_open_on_minute(stamp):
                return ""
            local = datetime.fromtimestamp(moment, NEW_YORK)
            extended_now = EXTENDED_HOURS[0] <= local.hour < EXTENDED_HOURS[1]
            if extended and extended_now and self.calendar.is_session(local.date().isoformat()):
                return ""
        except ValueError:  # past the calendar's years
            return "no exchange calendar covers this date"
        hours = "regular hours 09:30-16:00 America/New_York on trading days"
        if extended:
            hours = "extended hours 04:00-20:00 America/New_York on trading days"
        return f"the US stock market is closed ({hours})"


class PaperBroker:
    def __init__(
        self,
        book_path: Path,
        *,
        slippage: float = 0.0,
        commission_per_share: float = 0.0,
        commission_minimum: float = 0.0,
        partial_fills: bool = False,
        cash: float = 100_000.0,
        extended_hours: bool = False,
        price_of: Callable[[str], Quote | None] = lambda symbol: None,
        clock: Callable[[], float] = time.time,
        hours: Any = None,
    ) -> None:
        self.book_path = book_path
        self.slippage = slippage
        self.commission_per_share = commission_per_share
        self.commission_minimum = commission_minimum
        self.partial_fills = partial_fills
        self.extended_hours = extended_hours
        self.price_of = price_of  # the service's newest posted price of a symbol
        self.clock = clock
        self._hours = hours
        self.lock = threading.Lock()
        self.news = threading.Event()  # something waits to be filled
        self.book: dict[str, PlacedOrder] = {}
        self.working: dict[str, Working] = {}
        self.next_id = 1
        self.cash = cash
        self.commissions = 0.0
        self.last_fills: dict[str, Quote] = {}
        self.holdings: dict[str, Holding] = {}
        self.sectypes: dict[str, str] = {}
        if book_path.exists():
            self._load()

    @property
    def hours(self) -> Any:
        if self._hours is None:
            self._hours = UsStockHours()
        return self._hours

    # --- the book on disk

    def _load(self) -> None:
        saved = json.loads(self.book_path.read_text())
        self.book = {ref: PlacedOrder(**order) for ref, order in saved["orders"].items()}
        self.working = {ref: Working(**w) for ref, w in saved.get("working", {}).items()}
        self.next_id = saved["next_id"]
        self.cash = saved["cash"]
        self.commissions = saved.get("commissions", 0.0)
        self.last_fills = {s: Quote(**q) for s, q in saved.get("last_fills", {}).items()}
        self.holdings = {s: Holding(**h) for s, h in saved.get("holdings", {}).items()}
        self.sectypes = saved.get("sectypes", {})

    def _save(self) -> None:
        if len(self.book) > KEEP_ORDERS:
            newest_orders = sorted(self.book.values(), key=lambda o: o.order_id)[-KEEP_ORDERS:]
            kept = {o.ref for o in newest_orders} | set(self.working)
            self.book = {ref: o for ref, o in self.book.items() if ref in kept}
        state = {
            "orders": {ref: asdict(order) for ref, order in self.book.items()},
            "working": {ref: asdict(w) for ref, w in self.working.items()},
            "next_id": self.next_id,
            "cash": self.cash,
            "commissions": self.commissions,
            "last_fills": {s: asdict(q) for s, q in self.last_fills.items()},
            "holdings": {s: asdict(h) for s, h in self.holdings.items()},
            "sectypes": self.sectypes,
        }
        # Written whole and renamed: a crash leaves the old book or the new, never half of one.
        handle, temporary = tempfile.mkstemp(dir=self.book_path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as file:
            json.dump(state, file)
        os.replace(temporary, self.book_path)

    # --- placing

    def find(self, ref: str) -> PlacedOrder | None:
        with self.lock:
            return self.book.get(ref)

    def place(self, legs: list[LegOrder]) -> list[PlacedOrder]:
        with self.lock:
            if all(leg.ref in self.book for leg in legs):
                return [self.book[leg.ref] for leg in legs]
            self._check(legs)
            placed = []
            for leg in legs:
                if leg.ref in self.book:
                    placed.append(self.book[leg.ref])
                    continue
                order = PlacedOrder(self.next_id, leg.ref, leg.symbol, leg.action, leg.quantity)
                self.next_id += 1
                self.book[leg.ref] = order
                self.sectypes[leg.symbol] = leg.instrument.sectype
                self.working[leg.ref] = Working(
                    leg.ref,
                    leg.symbol,
                    leg.action,
                    leg.limit,
                    leg.instrument.sectype,
                    parent=legs[0].ref if leg.leg == 2 and leg.hedge else "",
                    hedge=leg.hedge or 0.0,
                )
                placed.append(order)
            self._work(first_pass={leg.ref: leg.price for leg in legs})
            self._save()
            return placed

    def _check(self, legs: list[LegOrder]) -> None:
        """Refuse what a broker would refuse before it takes the order."""
        for leg in legs:
            if leg.price is None:
                raise OrderRefused(
                    f"no price is known for {leg.symbol}: the paper broker fills at the newest "
                    "price posted to /v3/price, the alert's price or its own last fill"
                )
            if leg.instrument.sectype == "STK" and leg.instrument.currency == "USD":
                closed = self.hours.refusal(self.clock(), self.extended_hours)
                if closed:
                    raise OrderRefused(f"Order rejected - reason: {closed}")
        after = dict(self.holdings)
        marks = {**self._marks(), **{leg.symbol: leg.price.price for leg in legs if leg.price}}
        for leg in legs:
            signed = leg.quantity if leg.action == "BUY" else -leg.quantity
            held = after.get(leg.symbol, Holding())
            after[leg.symbol] = after_fill(held, signed, marks[leg.symbol])
            self.sectypes.setdefault(leg.symbol, leg.instrument.sectype)
        equity = self._net_liquidation(marks)
        margin = self._initial_margin(after, marks)
        if margin > equity:
            raise OrderRefused(
                "Order rejected - reason: YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE "
                f"DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [{equity:.2f} USD] MUST EXCEED "
                f"THE INITIAL MARGIN [{margin:.2f} USD]"
            )

    # --- filling

    def _price(self, symbol: str) -> Quote | None:
        return newest(self.price_of(symbol), self.last_fills.get(symbol))

    def _work(self, first_pass: dict[str, Quote | None] | None = None) -> None:
        """Fill what the market allows now: leg 1s and singles at their prices (limits only at
        or better), then each pair's leg 2 up to its ratio of leg 1's fills. ``first_pass``:
        the orders just placed, at their prices; the others move on at the next advance."""
        for ref, working in list(self.working.items()):
            if working.parent or (first_pass is not None and ref not in first_pass):
                continue
            quote = (first_pass or {}).get(ref) or self._price(working.symbol)
            if quote is None:
                continue
            order = self.book[ref]
            price = with_slippage(quote.price, working.action, self.slippage)
            if working.limit is not None:
                if not _at_or_better(quote.price, working.limit, working.action):
                    continue
                price = _capped(price, working.limit, working.action)
            rest = order.quantity - order.filled
            if first_pass is not None and self.partial_fills and rest > 1:
                self._fill(order, rest // 2, price)
                self.news.set()
            else:
                self._fill(order, rest, price)
        for ref, working in list(self.working.items()):
            if not working.parent or (first_pass is not None and ref not in first_pass):
                continue
            parent = self.book[working.parent]
            order = self.book[ref]
            allowed = min(order.quantity, math.floor(parent.filled * working.hedge + 1e-9))
            quote = (first_pass or {}).get(ref) or self._price(working.symbol)
            if allowed > order.filled and quote is not None:
                price = with_slippage(quote.price, working.action, self.slippage)
                self._fill(order, allowed - order.filled, price)
        for ref in [r for r in self.working if self.book[r].filled >= self.book[r].quantity]:
            del self.working[ref]

    def _fill(self, order: PlacedOrder, quantity: float, price: float) -> None:
        before = order.filled * (order.average_price or 0)
        first = order.filled == 0
        order.filled += quantity
        order.average_price = round((before + quantity * price) / order.filled, 6)
        if order.filled >= order.quantity:
            order.status = FILLED
        commission = self._commission(order.symbol, quantity, price, first)
        order.commission = round(order.commission + commission, 6)
        self.commissions += commission
        signed = quantity if order.action == "BUY" else -quantity
        self.cash -= signed * price + commission
        # Whole seconds, as the service times prices and alerts: in the same second, a price
        # posted or an alert comes before this fill.
        self.last_fills[order.symbol] = Quote(price, math.floor(self.clock()), "fill")
        self.holdings[order.symbol] = after_fill(
            self.holdings.get(order.symbol, Holding()), signed, price
        )

    def _commission(self, symbol: str, quantity: float, price: float, first: bool) -> float:
        """Stocks pay the options' rate per share; forex and crypto as IB charges them, a share
        of the trade's value (0.2 bp, at least 2.00; 0.18 %, at least 1.75). The minimum is
        paid once an order."""
        sectype = self.sectypes.get(symbol, "STK")
        if sectype in OTHER_COMMISSIONS:
            rate, least = OTHER_COMMISSIONS[sectype]
            commission = quantity * price * rate
        else:
            commission, least = quantity * self.commission_per_share, self.commission_minimum
        return max(commission, least) if first else commission

    def last_fill(self, symbol: str) -> Quote | None:
        with self.lock:
            return self.last_fills.get(symbol)

    def orders(self) -> list[PlacedOrder]:
        with self.lock:
            return list(self.book.values())

    def advance(self) -> None:
        with self.lock:
            if not self.working:
                return
            self._work()
            self._save()

    def wait_for_news(self, timeout: float) -> None:
        if self.news.wait(timeout):
            self.news.clear()

    def close(self) -> None:
        """The book is saved with each change: nothing is left to do."""

    # --- the account

    def _marks(self) -> dict[str, float]:
        marks = {}
        for symbol, holding in self.holdings.items():
            quote = self._price(symbol)
            marks[symbol] = quote.price if quote is not None else holding.average_cost
        return marks

    def _net_liquidation(self, marks: dict[str, float]) -> float:
        return self.cash + sum(h.quantity * marks[s] for s, h in self.holdings.items())

    def _initial_margin(self, holdings: dict[str, Holding], marks: dict[str, float]) -> float:
        return sum(
            abs(h.quantity) * marks[s] * INITIAL_MARGIN.get(self.sectypes.get(s, "STK"), 0.5)
            for s, h in holdings.items()
        )

    def positions(self) -> list[Position]:
        with self.lock:
            marks = self._marks()
            return [
                Position(
                    symbol,
                    holding.quantity,
                    round(holding.average_cost, 6),
                    round(holding.unrealized(marks[symbol]), 2),
                    realized_pnl=round(holding.realized, 2),
                )
                for symbol, holding in sorted(self.holdings.items())
            ]

    def account(self) -> dict[str, float]:
        with self.lock:
            marks = self._marks()
            gross = sum(abs(h.quantity) * marks[s] for s, h in self.holdings.items())
            net = self.cash + sum(h.quantity * marks[s] for s, h in self.holdings.items())
            initial = self._initial_margin(self.holdings, marks)
            realized = sum(h.realized for h in self.holdings.values()) - self.commissions
            unrealized = sum(h.unrealized(marks[s]) for s, h in self.holdings.items())
            return {
                "NetLiquidation": round(net, 2),
                "AvailableFunds": round(net - initial, 2),
                "BuyingPower": round(max(net - initial, 0) / 0.5, 2),
                "GrossPositionValue": round(gross, 2),
                "MaintMarginReq": round(initial / 2, 2),
                "UnrealizedPnL": round(unrealized, 2),
                "RealizedPnL": round(realized, 2),
                "DailyPnL": -1,  # the paper broker keeps no trading days
            }


def _at_or_better(market: float, limit: float, action: str) -> bool:
    return market <= limit if action == "BUY" else market >= limit


def _capped(price: float, limit: float, action: str) -> float:
    """Slippage never takes a limit order past its limit."""
    return min(price, limit) if action == "BUY" else max(price, limit)
