"""Interactive Brokers through TWS or IB Gateway, on ib_async.

ib_async runs on an asyncio loop; the bridge is threaded. The connection lives on a thread of
its own that keeps it up (reconnecting with backoff), and the bridge's calls are handed to that
loop. Nothing is placed unless the connection is up and its start-up synchronisation (open and
completed orders, executions) finished: only then does "not found" mean "never placed"."""

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ib_async import IB, Contract, Crypto, Forex, LimitOrder, MarketOrder, Order, Stock
from ib_async.order import OrderStatus

from ..orders import LegOrder
from .base import CANCELED, FILLED, OPEN, BrokerUnavailable, PlacedOrder, Position

logger = logging.getLogger("bridge.ib")

T = TypeVar("T")

_RECONNECT_SECONDS = (1, 2, 5, 10, 30)
# The account figures the service keeps, under IB's tag names.
ACCOUNT_TAGS = (
    "NetLiquidation",
    "AvailableFunds",
    "BuyingPower",
    "GrossPositionValue",
    "MaintMarginReq",
    "UnrealizedPnL",
    "RealizedPnL",
)
UNKNOWN = -1.0  # how the service is told a figure is not known
_GONE = {OrderStatus.Cancelled, OrderStatus.ApiCancelled, OrderStatus.Inactive}


# --- what the service's ticker means to IB (pure)


def _split_currency_pair(symbol: str) -> tuple[str, str]:
    """``EUR.USD`` or ``EURUSD`` → (``EUR``, ``USD``)."""
    base, dot, quote = symbol.partition(".")
    if dot:
        return base.upper(), quote.upper()
    return symbol[:3].upper(), symbol[3:].upper()


def contract_for(order: LegOrder) -> Contract:
    """The IB contract of a leg: forex on IDEALPRO, crypto on PAXOS unless the ticker names
    another exchange, stocks routed by the ticker's exchanges. Class shares keep IB's spelling
    with a space (``BF A``); TradingView's ``BF.A`` is turned into it."""
    instrument = order.instrument
    routed = instrument.exchange.upper()
    if instrument.sectype == "CASH":
        base, quote = _split_currency_pair(order.symbol)
        exchange = "IDEALPRO" if routed in ("", "SMART") else routed
        return Forex(pair=base + quote, exchange=exchange)
    if instrument.sectype == "CRYPTO":
        base, quote = (
            _split_currency_pair(order.symbol)
            if "." in order.symbol
            else (order.symbol.upper(), instrument.currency)
        )
        exchange = "PAXOS" if routed in ("", "SMART") else routed
        return Crypto(base, exchange, quote)
    return Stock(
        order.symbol.replace(".", " "),
        routed or "SMART",
        instrument.currency,
        primaryExchange=instrument.primary_exchange,
    )


def _tick(sectype: str) -> float:
    return 0.00005 if sectype == "CASH" else 0.01


def order_for(order: LegOrder, price: float, account: str = "") -> Order:
    """The IB order of a leg, carrying the leg's reference (``orderRef``) so that a restarted
    bridge finds it. ``MARKET``/``MKT`` and ``LIMIT``/``LMT`` are what they say (a limit at the
    price the signal implies); ``RELATIVE``/``REL`` pegs a stock to the primary quote with no
    offset. Forex takes no relative orders, so it goes at market; crypto is limited to the
    signal's price and lives immediate-or-cancel, as IB requires of it."""
    kind = order.instrument.order_type.upper()
    sectype = order.instrument.sectype
    tick = _tick(sectype)
    limit = round(round(price / tick) * tick, 5 if sectype == "CASH" else 2)
    ib_order: Order
    if sectype == "CRYPTO":
        ib_order = (
            MarketOrder(order.action, order.quantity, tif="IOC")
            if kind in ("MARKET", "MKT")
            else LimitOrder(order.action, order.quantity, limit, tif="IOC")
        )
    elif kind in ("LIMIT", "LMT"):
        ib_order = LimitOrder(order.action, order.quantity, limit)
    elif kind in ("RELATIVE", "REL") and sectype == "STK":
        ib_order = Order(
            action=order.action, totalQuantity=order.quantity, orderType="REL", auxPrice=0
        )
    else:
        ib_order = MarketOrder(order.action, order.quantity)
    ib_order.orderRef = order.ref
    if account:
        ib_order.account = account
    return ib_order


def service_symbol(contract: Contract) -> str:
    """How the service names an IB contract: ``EUR.USD``, ``BTC.USD``, ``BF A``."""
    if contract.secType in ("CASH", "CRYPTO"):
        return f"{contract.symbol}.{contract.currency}"
    return contract.symbol


def _number(text: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return UNKNOWN
    return value if math.isfinite(value) else UNKNOWN


def account_figures(values: Iterable[Any], daily_pnl: float | None) -> dict[str, float]:
    """The account's figures from IB's account values. A tag given per currency is taken in
    the base currency (``BASE``) when IB gives that; a figure IB did not send is unknown."""
    figures: dict[str, float] = {}
    for value in values:
        if value.tag not in ACCOUNT_TAGS:
            continue
        if value.tag not in figures or value.currency == "BASE":
            figures[value.tag] = _number(value.value)
    figures = {tag: figures.get(tag, UNKNOWN) for tag in ACCOUNT_TAGS}
    figures["DailyPnL"] = UNKNOWN if daily_pnl is None else _number(str(daily_pnl))
    return figures


# --- the broker


class IBBroker:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 7497,
        client_id: int = 1,
        account: str = "",
        timeout: float = 10.0,
        ib_factory: Callable[[], Any] = IB,
    ) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self.account_code = account
        self.timeout = timeout
        self.ib_factory = ib_factory
        self.ib: Any = None
        self.news = threading.Event()
        self.ready = threading.Event()  # connected and synchronised
        self.closing = False
        self.closed = asyncio.Event()  # bound to the loop that first waits on it
        self.loop = asyncio.new_event_loop()
        self.last_prices: dict[str, float] = {}
        self.pnl: Any = None
        self.thread = threading.Thread(target=self._run, name="ib", daemon=True)

    # --- the connection's thread

    def start(self, wait: float = 0.0) -> "IBBroker":
        """Start connecting; with ``wait``, give the first connection that long to come up."""
        self.thread.start()
        self.ready.wait(wait)
        return self

    def close(self) -> None:
        if self.thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._disconnect(), self.loop).result(self.timeout)
            self.thread.join(self.timeout)
        self.closing = True

    async def _disconnect(self) -> None:
        self.closing = True  # on the loop: no reconnect starts after this
        self.closed.set()
        self.ready.clear()
        if self.ib is not None:
            self.ib.disconnect()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.ib = self.ib_factory()
        self.ib.disconnectedEvent += self._on_disconnected
        for event in (self.ib.execDetailsEvent, self.ib.commissionReportEvent):
            event += self._on_news
        self.ib.orderStatusEvent += self._on_news
        self.ib.errorEvent += self._on_error
        self.loop.run_until_complete(self._keep_connected())

    async def _keep_connected(self) -> None:
        failures = 0
        while not self.closing:
            if self.ready.is_set():
                await self._pause(0.2)
                continue
            try:
                await self._connect()
            except (OSError, TimeoutError) as error:  # ConnectionError is an OSError
                pause = _RECONNECT_SECONDS[min(failures, len(_RECONNECT_SECONDS) - 1)]
                failures += 1
                why = error or "timed out"
                logger.warning("IB at %s:%s: %s; again in %s s", self.host, self.port, why, pause)
                await self._pause(pause)
            else:
                failures = 0

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake as the broker is closed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closed.wait(), seconds)

    async def _connect(self) -> None:
        # raiseSyncErrors: a connection whose order or execution download timed out does not
        # count, since an order missing from it would be placed again.
        await self.ib.connectAsync(
            self.host,
            self.port,
            clientId=self.client_id,
            timeout=self.timeout,
            account=self.account_code,
            raiseSyncErrors=True,
        )
        # Orders other client ids placed (a bridge restarted with another id) are open too.
        await asyncio.wait_for(self.ib.reqAllOpenOrdersAsync(), self.timeout)
        if not self.account_code:
            accounts = self.ib.managedAccounts()
            self.account_code = accounts[0] if len(accounts) == 1 else ""
        self.pnl = self.ib.reqPnL(self.account_code) if self.account_code else None
        self.ready.set()
        self.news.set()  # what happened while away is reported now
        logger.info("IB connected at %s:%s as client %s", self.host, self.port, self.client_id)

    def _on_disconnected(self) -> None:
        if self.ready.is_set():
            logger.warning("IB connection lost; reconnecting")
        self.ready.clear()
        self.pnl = None

    def _on_news(self, *_: Any) -> None:
        self.news.set()

    def _on_error(self, req_id: int, code: int, message: str, *_: Any) -> None:
        if req_id > 0:  # about an order: its trade carries the message
            self.news.set()
        elif code not in (2104, 2106, 2107, 2108, 2158):  # "data farm connection is OK"
            logger.info("IB %s: %s", code, message)

    def _call(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the connection's loop, with the connection up."""
        if not self.ready.is_set():
            raise BrokerUnavailable(f"IB at {self.host}:{self.port} is not connected")

        async def guarded() -> T:
            if not self.ready.is_set():
                raise BrokerUnavailable(f"IB at {self.host}:{self.port} is not connected")
            return work()

        future = asyncio.run_coroutine_threadsafe(guarded(), self.loop)
        try:
            return future.result(self.timeout)
        except TimeoutError as error:
            raise BrokerUnavailable("IB did not answer in time") from error

    # --- the Broker protocol

    def find(self, ref: str) -> PlacedOrder | None:
        return self._call(lambda: self._find(ref))

    def _find(self, ref: str) -> PlacedOrder | None:
        trade = next((t for t in self.ib.trades() if t.order.orderRef == ref), None)
        fills = [f for f in self.ib.fills() if f.execution.orderRef == ref]
        if trade is None and not fills:
            return None
        if trade is not None:
            symbol = service_symbol(trade.contract)
            order_id = trade.order.orderId or (fills[0].execution.orderId if fills else 0)
            quantity = trade.order.totalQuantity
        else:  # only its executions are left (an order of an earlier session)
            symbol = service_symbol(fills[0].contract)
            order_id = fills[0].execution.orderId
            quantity = sum(f.execution.shares for f in fills)
        placed = PlacedOrder(order_id, ref, symbol, trade.order.action if trade else "", quantity)
        return self._with_fills(placed, trade, fills)

    def _with_fills(self, placed: PlacedOrder, trade: Any, fills: list[Any]) -> PlacedOrder:
        # Executions are keyed by their id, so a fill sent again or corrected is counted once.
        placed.filled = sum(f.execution.shares for f in fills)
        if placed.filled:
            value = sum(f.execution.shares * f.execution.price for f in fills)
            placed.average_price = round(value / placed.filled, 6)
            self.last_prices[placed.symbol] = fills[-1].execution.price
        placed.commission = round(sum(f.commissionReport.commission for f in fills), 6)
        status = trade.orderStatus.status if trade is not None else OrderStatus.Filled
        if placed.filled >= placed.quantity:
            placed.status = FILLED
        elif status in _GONE:
            placed.status = CANCELED
        else:
            placed.status = OPEN
        if trade is not None:
            placed.message = "; ".join(
                f"{entry.errorCode} {entry.message}".strip()
                for entry in trade.log
                if entry.errorCode
            )
        return placed

    def place(self, order: LegOrder, price: float) -> PlacedOrder:
        def send() -> PlacedOrder:
            already = self._find(order.ref)
            if already is not None:
                return already
            trade = self.ib.placeOrder(
                contract_for(order), order_for(order, price, self.account_code)
            )
            logger.info("placed %s: IB order %s", order.ref, trade.order.orderId)
            return PlacedOrder(
                trade.order.orderId, order.ref, order.symbol, order.action, order.quantity
            )

        return self._call(send)

    def orders(self) -> list[PlacedOrder]:
        def ours() -> list[PlacedOrder]:
            refs = {t.order.orderRef for t in self.ib.trades()}
            refs |= {f.execution.orderRef for f in self.ib.fills()}
            found = (self._find(ref) for ref in sorted(refs) if ref.startswith("pairs-"))
            return [order for order in found if order is not None]

        return self._call(ours)

    def last_price(self, symbol: str) -> float | None:
        return self.last_prices.get(symbol)

    def advance(self) -> None:
        """IB's events arrive on their own thread."""

    def wait_for_news(self, timeout: float) -> None:
        if self.news.wait(timeout):
            self.news.clear()

    def positions(self) -> list[Position]:
        def read() -> list[Position]:
            marked = {(item.account, item.contract.conId): item for item in self.ib.portfolio()}
            positions = []
            for held in self.ib.positions():
                if self.account_code and held.account != self.account_code:
                    continue
                item = marked.get((held.account, held.contract.conId))
                multiplier = float(held.contract.multiplier or 1)
                positions.append(
                    Position(
                        service_symbol(held.contract),
                        held.position,
                        round(held.avgCost / multiplier, 6),
                        round(item.unrealizedPNL, 2) if item is not None else 0.0,
                    )
                )
            return positions

        return self._call(read)

    def account(self) -> dict[str, float]:
        def read() -> dict[str, float]:
            daily = getattr(self.pnl, "dailyPnL", None)
            return account_figures(self.ib.accountValues(self.account_code), daily)

        return self._call(read)
