"""A broker that fills orders itself: at the price the signal implies, with slippage, at once
or in two parts. Its book is kept in a JSON file, so a restarted bridge knows what it placed."""

import json
import os
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path

from ..orders import LegOrder, with_slippage
from .base import FILLED, PlacedOrder, Position

# The book keeps every unfinished order and this many of the newest: enough to recognise what a
# restarted bridge placed, without rewriting a book that grows forever.
KEEP_ORDERS = 200


class PaperBroker:
    def __init__(
        self,
        book_path: Path,
        *,
        slippage: float = 0.0,
        partial_fills: bool = False,
        cash: float = 100_000.0,
    ) -> None:
        self.book_path = book_path
        self.slippage = slippage
        self.partial_fills = partial_fills
        self.lock = threading.Lock()
        self.news = threading.Event()  # a partial fill waits to be completed
        self.book: dict[str, PlacedOrder] = {}
        self.pending: dict[str, float] = {}  # ref → price the rest of a partial fill takes
        self.next_id = 1
        self.cash = cash
        self.last_prices: dict[str, float] = {}
        self.holdings: dict[str, list[float]] = {}  # symbol → [quantity, cost]
        if book_path.exists():
            self._load()

    def _load(self) -> None:
        saved = json.loads(self.book_path.read_text())
        self.book = {ref: PlacedOrder(**order) for ref, order in saved["orders"].items()}
        self.pending = saved.get("pending", {})
        self.next_id = saved["next_id"]
        self.cash = saved["cash"]
        self.last_prices = saved.get("last_prices", {})
        self.holdings = saved.get("holdings", {})

    def _save(self) -> None:
        if len(self.book) > KEEP_ORDERS:
            newest = sorted(self.book.values(), key=lambda o: o.order_id)[-KEEP_ORDERS:]
            kept = {o.ref for o in newest}
            self.book = {
                ref: o for ref, o in self.book.items() if ref in kept or o.filled < o.quantity
            }
        state = {
            "orders": {ref: asdict(order) for ref, order in self.book.items()},
            "pending": self.pending,
            "next_id": self.next_id,
            "cash": self.cash,
            "last_prices": self.last_prices,
            "holdings": self.holdings,
        }
        # Written whole and renamed: a crash leaves the old book or the new, never half of one.
        handle, temporary = tempfile.mkstemp(dir=self.book_path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as file:
            json.dump(state, file)
        os.replace(temporary, self.book_path)

    def find(self, ref: str) -> PlacedOrder | None:
        with self.lock:
            return self.book.get(ref)

    def place(self, order: LegOrder, price: float) -> PlacedOrder:
        with self.lock:
            if order.ref in self.book:
                return self.book[order.ref]
            placed = PlacedOrder(
                self.next_id, order.ref, order.symbol, order.action, order.quantity
            )
            self.next_id += 1
            self.book[order.ref] = placed
            fill_price = with_slippage(price, order.action, self.slippage)
            first = order.quantity // 2 if self.partial_fills and order.quantity > 1 else None
            self._fill(placed, first or order.quantity, fill_price)
            if first:
                self.pending[order.ref] = fill_price
                self.news.set()
            self._save()
            return placed

    def _fill(self, order: PlacedOrder, quantity: float, price: float) -> None:
        before = order.filled * (order.average_price or 0)
        order.filled += quantity
        order.average_price = round((before + quantity * price) / order.filled, 6)
        if order.filled >= order.quantity:
            order.status = FILLED
        sign = 1 if order.action == "BUY" else -1
        self.cash -= sign * quantity * price
        self.last_prices[order.symbol] = price
        held = self.holdings.setdefault(order.symbol, [0.0, 0.0])
        held[0] += sign * quantity
        held[1] += sign * quantity * price

    def last_price(self, symbol: str) -> float | None:
        with self.lock:
            return self.last_prices.get(symbol)

    def orders(self) -> list[PlacedOrder]:
        with self.lock:
            return list(self.book.values())

    def advance(self) -> None:
        with self.lock:
            if not self.pending:
                return
            for ref, price in list(self.pending.items()):
                order = self.book[ref]
                self._fill(order, order.quantity - order.filled, price)
                del self.pending[ref]
            self._save()

    def wait_for_news(self, timeout: float) -> None:
        if self.news.wait(timeout):
            self.news.clear()

    def close(self) -> None:
        """The book is saved with each change: nothing is left to do."""

    def positions(self) -> list[Position]:
        with self.lock:
            positions = []
            for symbol, (quantity, cost) in sorted(self.holdings.items()):
                average = cost / quantity if quantity else 0.0
                mark = self.last_prices.get(symbol, average)
                positions.append(
                    Position(symbol, quantity, round(average, 6), round(quantity * mark - cost, 2))
                )
            return positions

    def account(self) -> dict[str, float]:
        positions = self.positions()
        gross = sum(abs(p.quantity) * self.last_prices.get(p.symbol, 0) for p in positions)
        value = sum(p.quantity * self.last_prices.get(p.symbol, 0) for p in positions)
        unrealized = sum(p.unrealized_pnl for p in positions)
        net = round(self.cash + value, 2)
        return {
            "NetLiquidation": net,
            "AvailableFunds": round(self.cash, 2),
            "BuyingPower": round(max(self.cash, 0) * 4, 2),
            "GrossPositionValue": round(gross, 2),
            "MaintMarginReq": round(gross * 0.25, 2),
            "UnrealizedPnL": round(unrealized, 2),
            "RealizedPnL": -1,  # not tracked by the paper broker: shown as unknown
            "DailyPnL": -1,
        }
