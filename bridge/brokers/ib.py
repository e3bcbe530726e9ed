"""Interactive Brokers through TWS or IB Gateway, on ib_async.

ib_async runs on an asyncio loop; the bridge is threaded. The connection lives on a thread of
its own that keeps it up (reconnecting with backoff), and the bridge's calls are handed to that
loop. Nothing is placed unless the connection is up, its start-up synchronisation (open and
completed orders, executions) finished, and TWS itself is connected to IB: only then does "not
found" mean "never placed", and only then does an order reach the market.

What IB does that a bridge must not take at face value, each handled here:

- ib_async marks a trade ``Cancelled`` on any error it does not list as a warning (10349 "TIF
  set to DAY based on order preset" among them) while the order lives on at IB: a cancel that
  only ib_async saw is confirmed with TWS (open and completed orders) before it counts.
- IB corrects an execution by sending it again with the part after the last dot of ``execId``
  counted up: the newest version of each execution counts, once.
- TWS tells an order's status and executions only to the client id that placed it (and the
  master client id): orders another client id placed (a bridge restarted under a new id) are
  followed through a second connection under that id.
- A position that goes flat is dropped by ib_async: it is kept here at 0 so the service hears.
"""

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from ib_async import IB, Contract, Crypto, Forex, LimitOrder, MarketOrder, Order, Stock
from ib_async.order import OrderStatus
from ib_async.wrapper import RequestError

from ..orders import LegOrder, OrderRefused, Quote
from .base import (
    CANCELED,
    FILLED,
    OPEN,
    BrokerMisconfigured,
    BrokerUnavailable,
    PlacedOrder,
    Position,
)

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
# TWS lost IB (1100) or its server (2110): orders would sit in TWS, unsent. 1101/1102 and
# 2106 say it is back.
CUT_OFF_CODES = {1100, 2110}
RESTORED_CODES = {1101, 1102, 2106}


# --- what the service's ticker means to IB (pure)


def _split_currency_pair(symbol: str) -> tuple[str, str]:
    """``EUR.USD`` or ``EURUSD`` → (``EUR``, ``USD``); anything else is refused in words."""
    base, dot, quote = symbol.upper().partition(".")
    if not dot:
        base, quote = symbol[:3].upper(), symbol[3:].upper()
    if len(base) != 3 or len(quote) != 3 or not (base + quote).isalpha():
        raise OrderRefused(f"'{symbol}' is not a currency pair such as EURUSD or EUR.USD")
    return base, quote


def contract_for(order: LegOrder) -> Contract:
    """The IB contract a leg asks for, before IB qualifies it: forex on IDEALPRO, crypto on
    PAXOS unless the ticker names another exchange, stocks routed by the ticker's exchanges.
    Class shares keep IB's spelling with a space (``BF A``); TradingView's ``BF.A`` is turned
    into it."""
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


def spellings_of(contract: Contract) -> tuple[str, ...]:
    """How the service may name an IB contract, most likely first: ``EURUSD``, ``EUR.USD`` or
    ``EUR`` for forex, ``BTC`` or ``BTC.USD`` for crypto, ``BF A`` or ``BF.A`` for shares."""
    symbol, currency = contract.symbol, contract.currency
    if contract.secType == "CASH":
        return (f"{symbol}{currency}", f"{symbol}.{currency}", symbol)
    if contract.secType == "CRYPTO":
        return (symbol, f"{symbol}.{currency}", f"{symbol}{currency}")
    return tuple(dict.fromkeys((symbol, symbol.replace(" ", "."))))


def _on_tick(price: float, tick: float) -> float:
    """``price`` on the contract's price grid (IB refuses off-tick prices)."""
    decimals = max(0, -math.floor(math.log10(tick))) + 1 if 0 < tick < 1 else 2
    return round(round(price / tick) * tick, decimals)


def order_for(order: LegOrder, tick: float = 0.01, account: str = "") -> Order:
    """The IB order of a leg, carrying the leg's reference (``orderRef``) so that a restarted
    bridge finds it. The TIF is always sent (the ticker's, else DAY; crypto lives IOC, as IB
    requires), since TWS otherwise applies its preset and says so with an error. ``LIMIT``/``LMT``
    goes at the alert's limit on the contract's tick; ``RELATIVE``/``REL`` pegs a stock to the
    primary quote with no offset; forex takes no relative orders, so it goes at market; crypto
    is limited unless ``MARKET``."""
    kind = order.instrument.order_type.upper()
    sectype = order.instrument.sectype
    tif = order.instrument.tif or ("IOC" if sectype == "CRYPTO" else "DAY")
    limit = None if order.limit is None else _on_tick(order.limit, tick)
    if (kind in ("LIMIT", "LMT") or (sectype == "CRYPTO" and kind not in ("MARKET", "MKT"))) and (
        limit is None
    ):
        raise OrderRefused(f"{order.symbol}: a limit order needs the alert's price")
    ib_order: Order
    if kind in ("MARKET", "MKT") or (sectype == "CASH" and kind in ("RELATIVE", "REL")):
        ib_order = MarketOrder(order.action, order.quantity)
    elif kind in ("RELATIVE", "REL") and sectype == "STK":
        ib_order = Order(
            action=order.action, totalQuantity=order.quantity, orderType="REL", auxPrice=0
        )
    else:
        assert limit is not None  # refused above
        ib_order = LimitOrder(order.action, order.quantity, limit)
    ib_order.tif = tif
    ib_order.orderRef = order.ref
    if account:
        ib_order.account = account
    return ib_order


def hedge_child_for(order: LegOrder, parent_id: int, account: str = "") -> Order:
    """A pair's leg 2 as IB's pair hedge: a market child of leg 1 that works only as leg 1
    fills, ``hedgeParam`` being the pair's ratio."""
    child = MarketOrder(order.action, order.quantity, tif=order.instrument.tif or "DAY")
    child.parentId = parent_id
    child.hedgeType = "P"
    child.hedgeParam = f"{order.hedge:g}"
    child.orderRef = order.ref
    if account:
        child.account = account
    return child


def execution_key(exec_id: str) -> str:
    """What a correction keeps of an execution's id: all before the last dot."""
    return exec_id.rpartition(".")[0] or exec_id


def newest_versions(fills: Iterable[Any]) -> list[Any]:
    """Each execution once, as last corrected (the highest version after the last dot)."""
    chosen: dict[str, Any] = {}
    for fill in fills:
        key = execution_key(fill.execution.execId)
        held = chosen.get(key)
        if held is None or _version(fill.execution.execId) > _version(held.execution.execId):
            chosen[key] = fill
    return list(chosen.values())


def _version(exec_id: str) -> int:
    tail = exec_id.rpartition(".")[2]
    return int(tail, 16) if tail and all(c in "0123456789abcdefABCDEF" for c in tail) else 0


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


def _cancelled_only_here(trade: Any) -> bool:
    """ib_async set the trade's cancel itself, from an error, and TWS never said so (a trade
    read from TWS's lists, with no log, is TWS's word)."""
    gone = [entry for entry in trade.log if entry.status in _GONE]
    return trade.orderStatus.status in _GONE and bool(gone) and all(e.errorCode for e in gone)


def _words(entry: Any) -> str:
    """An error log entry as ``10349 Order TIF was set...`` (ib_async prefixes its own)."""
    return f"{entry.errorCode} {entry.message.partition(': ')[2] or entry.message}".strip()


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
        self.settled = threading.Event()  # the first connection came up, or was refused
        self.closing = False
        self.misconfigured: BrokerMisconfigured | None = None
        self.closed = asyncio.Event()  # bound to the loop that first waits on it
        self.loop = asyncio.new_event_loop()
        self.pnl: Any = None
        self.cut_off = ""  # TWS's words while it cannot reach IB
        # Qualified contracts by what the leg asked for, and the service's name of each conId.
        self.contracts: dict[tuple[str, Any], tuple[Contract, float]] = {}
        self.symbols: dict[int, str] = {}
        # Positions seen at 0 since connecting, by conId: ib_async forgets them.
        self.flat: dict[int, Contract] = {}
        self.confirmed_gone: dict[str, str] = {}  # ref → why, once TWS confirmed the cancel
        # IB's words about our orders by order id: ib_async keeps none that come after the
        # order's cancel in its trade's log.
        self.order_errors: dict[int, list[str]] = {}
        # Other client ids' connections, for the orders they placed: TWS tells them only.
        self.adopted: dict[int, Any] = {}
        self.thread = threading.Thread(target=self._run, name="ib", daemon=True)

    # --- the connection's thread

    def start(self, wait: float = 0.0) -> "IBBroker":
        """Start connecting; with ``wait``, give the first connection that long to come up."""
        self.thread.start()
        self.settled.wait(wait)
        return self

    def close(self) -> None:
        if self.thread.is_alive() and self.misconfigured is None:
            with contextlib.suppress(TimeoutError):
                asyncio.run_coroutine_threadsafe(self._disconnect(), self.loop).result(self.timeout)
            self.thread.join(self.timeout)
        self.closing = True

    async def _disconnect(self) -> None:
        self.closing = True  # on the loop: no reconnect starts after this
        self.closed.set()
        self.ready.clear()
        for side in self.adopted.values():
            side.disconnect()
        if self.ib is not None:
            self.ib.disconnect()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.ib = self.ib_factory()
        self.ib.RaiseRequestErrors = True  # a refused contract's words reach the signal
        self.ib.disconnectedEvent += self._on_disconnected
        self._listen(self.ib)
        self.ib.errorEvent += self._on_error
        self.ib.positionEvent += self._on_position
        self.loop.run_until_complete(self._keep_connected())

    def _listen(self, ib: Any) -> None:
        for event in (ib.execDetailsEvent, ib.commissionReportEvent, ib.orderStatusEvent):
            event += self._on_news

    async def _keep_connected(self) -> None:
        failures = 0
        while not self.closing:
            if self.ready.is_set():
                await self._pause(0.2)
                continue
            try:
                await self._connect()
            except BrokerMisconfigured as error:
                self.misconfigured = error
                self.settled.set()
                logger.error("IB: %s", error)
                self.ib.disconnect()
                return
            except (OSError, TimeoutError) as error:  # ConnectionError is an OSError
                pause = _RECONNECT_SECONDS[min(failures, len(_RECONNECT_SECONDS) - 1)]
                failures += 1
                why = error or "timed out"
                logger.warning("IB at %s:%s: %s; again in %s s", self.host, self.port, why, pause)
                self.ib.disconnect()
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
        self._choose_account(self.ib.managedAccounts())
        # Orders other client ids placed (a bridge restarted with another id) are open too.
        await asyncio.wait_for(self.ib.reqAllOpenOrdersAsync(), self.timeout)
        await self._adopt_other_clients()
        self.cut_off = ""  # a fresh login: the farms just said they are connected
        self.pnl = self.ib.reqPnL(self.account_code)
        self.ready.set()
        self.settled.set()
        self.news.set()  # what happened while away is reported now
        logger.info(
            "IB connected at %s:%s as client %s, account %s",
            self.host,
            self.port,
            self.client_id,
            self.account_code,
        )

    def _choose_account(self, accounts: list[str]) -> None:
        if self.account_code and self.account_code not in accounts:
            raise BrokerMisconfigured(
                f"--ib-account {self.account_code} is not managed by this login "
                f"(it manages {', '.join(accounts)})"
            )
        if not self.account_code:
            if len(accounts) != 1:
                raise BrokerMisconfigured(
                    f"this login manages several accounts ({', '.join(accounts)}): choose the "
                    "one to trade with --ib-account (IB_ACCOUNT)"
                )
            self.account_code = accounts[0]

    async def _adopt_other_clients(self) -> None:
        """Connect under each other client id that has our orders open: TWS sends their
        status and executions to that id alone."""
        others = {
            trade.order.clientId
            for trade in self.ib.trades()
            if trade.order.orderRef.startswith("pairs-")
            and trade.order.clientId not in (0, self.client_id)
            and not trade.isDone()
        }
        for client_id in sorted(others - set(self.adopted)):
            side = self.ib_factory()
            try:
                await side.connectAsync(
                    self.host,
                    self.port,
                    clientId=client_id,
                    timeout=self.timeout,
                    account=self.account_code,
                    raiseSyncErrors=True,
                )
            except (OSError, TimeoutError) as error:
                side.disconnect()
                logger.warning(
                    "orders placed as client %s: their fills are told only to that client id, "
                    "and it could not be used (%s); make this bridge TWS's master client id to "
                    "see them",
                    client_id,
                    error or "timed out",
                )
                continue
            self._listen(side)
            self.adopted[client_id] = side
            logger.info("following the orders client %s placed", client_id)

    def _on_disconnected(self) -> None:
        if self.ready.is_set():
            logger.warning("IB connection lost; reconnecting")
        self.ready.clear()
        self.pnl = None
        for side in self.adopted.values():
            side.disconnect()
        self.adopted.clear()

    def _on_news(self, *_: Any) -> None:
        self.news.set()

    def _on_position(self, position: Any) -> None:
        if position.account != self.account_code:
            return
        if position.position == 0:
            self.flat[position.contract.conId] = position.contract
        else:
            self.flat.pop(position.contract.conId, None)
        self.news.set()

    def _on_error(self, req_id: int, code: int, message: str, *_: Any) -> None:
        if code in CUT_OFF_CODES:
            self.cut_off = f"{code} {message}"
            logger.warning("IB %s: %s; placing nothing until it is back", code, message)
        elif code in RESTORED_CODES and self.cut_off:
            self.cut_off = ""
            logger.info("IB %s: %s; placing again", code, message)
        elif req_id > 0:  # about an order, or a request
            self.order_errors.setdefault(req_id, []).append(f"{code} {message}".strip())
            self.news.set()
        elif code not in (2104, 2106, 2107, 2108, 2158):  # "data farm connection is OK"
            logger.info("IB %s: %s", code, message)

    def _call(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` on the connection's loop, with the connection up."""
        if self.misconfigured is not None:
            raise self.misconfigured
        if not self.ready.is_set():
            raise BrokerUnavailable(f"IB at {self.host}:{self.port} is not connected")

        async def guarded() -> T:
            if not self.ready.is_set():
                raise BrokerUnavailable(f"IB at {self.host}:{self.port} is not connected")
            return await work()

        future = asyncio.run_coroutine_threadsafe(guarded(), self.loop)
        try:
            return future.result(self.timeout)
        except TimeoutError as error:
            future.cancel()
            raise BrokerUnavailable("IB did not answer in time") from error

    # --- what IB knows of our orders

    def _connections(self) -> list[Any]:
        return [self.ib, *self.adopted.values()]

    def _trade_of(self, ref: str) -> Any:
        """The freshest copy of the order placed under ``ref``: the placing client's own (its
        status moves) before another's snapshot from the open-orders list."""
        found = None
        for ib in self._connections():
            for trade in ib.trades():
                if trade.order.orderRef != ref:
                    continue
                own = trade.order.clientId in (ib.client.clientId, 0)
                if found is None or (own and found[1] is False):
                    found = (trade, own)
        return found[0] if found else None

    def _fills_of(self, ref: str) -> list[Any]:
        fills = [f for ib in self._connections() for f in ib.fills()]
        return newest_versions(f for f in fills if f.execution.orderRef == ref)

    async def _find(self, ref: str) -> PlacedOrder | None:
        trade = self._trade_of(ref)
        fills = self._fills_of(ref)
        if trade is None and not fills:
            return None
        if trade is not None:
            order_id = trade.order.orderId or (fills[0].execution.orderId if fills else 0)
            placed = PlacedOrder(
                order_id, ref, "", trade.order.action, int(trade.order.totalQuantity)
            )
        else:  # only its executions are left (an order of an earlier session)
            order_id = fills[0].execution.orderId
            quantity = int(sum(f.execution.shares for f in fills))
            placed = PlacedOrder(order_id, ref, "", "", quantity)
        if trade is not None and ref not in self.confirmed_gone and _cancelled_only_here(trade):
            await self._confirm(ref, trade)
        return self._with_fills(placed, trade, fills)

    async def _confirm(self, ref: str, trade: Any) -> None:
        """Ask TWS whether an order ib_async marked cancelled after an error is really gone:
        its open orders (each answered with its status, which puts a live trade right) and its
        completed orders."""
        error = next((e for e in reversed(trade.log) if e.errorCode), None)
        why = _words(error) if error else "canceled"
        open_now = await asyncio.wait_for(self.ib.reqAllOpenOrdersAsync(), self.timeout)
        if any(t.order.orderRef == ref for t in open_now):
            if trade.orderStatus.status in _GONE:  # the answer carried no status change
                trade.orderStatus.status = OrderStatus.Submitted
            logger.info("%s: IB says the order is live after %s", ref, why)
            return
        completed = await asyncio.wait_for(self.ib.reqCompletedOrdersAsync(True), self.timeout)
        done = next((t for t in completed if t.order.orderRef == ref), None)
        if done is not None and done.orderStatus.status not in _GONE:
            trade.orderStatus.status = done.orderStatus.status  # filled: TWS's word stands
            return
        self.confirmed_gone[ref] = why  # cancelled at IB, or never reached it

    def _with_fills(self, placed: PlacedOrder, trade: Any, fills: list[Any]) -> PlacedOrder:
        placed.filled = sum(f.execution.shares for f in fills)
        if placed.filled:
            value = sum(f.execution.shares * f.execution.price for f in fills)
            placed.average_price = round(value / placed.filled, 6)
        placed.commission = round(sum(f.commissionReport.commission for f in fills), 6)
        status = trade.orderStatus.status if trade is not None else OrderStatus.Filled
        if placed.filled >= placed.quantity:
            placed.status = FILLED
        elif placed.ref in self.confirmed_gone or (
            status in _GONE and not _cancelled_only_here(trade)
        ):
            placed.status = CANCELED
        else:
            placed.status = OPEN
        if trade is not None:
            told = [_words(entry) for entry in trade.log if entry.errorCode]
            if trade.order.clientId == self.client_id:
                told += self.order_errors.get(trade.order.orderId, [])
            placed.message = "; ".join(dict.fromkeys(told))
        return placed

    # --- the Broker protocol

    def find(self, ref: str) -> PlacedOrder | None:
        return self._call(lambda: self._find(ref))

    def place(self, legs: list[LegOrder]) -> list[PlacedOrder]:
        return self._call(lambda: self._place(legs))

    async def _place(self, legs: list[LegOrder]) -> list[PlacedOrder]:
        if self.cut_off:
            raise BrokerUnavailable(f"TWS is cut off from IB ({self.cut_off})")
        # Every contract is qualified before anything is sent: a refused leg 2 sends no leg 1.
        contracts = [await self._qualify(leg) for leg in legs]
        found = [await self._find(leg.ref) for leg in legs]
        # A pair placed whole goes as IB's pair hedge: leg 1 waits in TWS, untransmitted, until
        # its hedge child (leg 2) is sent with it. A leg left from a stopped run goes alone.
        linked = len(legs) == 2 and found == [None, None] and bool(legs[1].hedge)
        placed: list[PlacedOrder] = []
        parent_id = 0
        for leg, (contract, tick), already in zip(legs, contracts, found, strict=True):
            if already is not None:
                placed.append(already)
                continue
            if linked and leg.leg == 2:
                ib_order = hedge_child_for(leg, parent_id, self.account_code)
            else:
                ib_order = order_for(leg, tick, self.account_code)
                ib_order.transmit = not linked
            trade = self.ib.placeOrder(contract, ib_order)
            parent_id = trade.order.orderId
            logger.info("placed %s: IB order %s", leg.ref, trade.order.orderId)
            placed.append(
                PlacedOrder(trade.order.orderId, leg.ref, leg.symbol, leg.action, leg.quantity)
            )
        return placed

    async def _qualify(self, leg: LegOrder) -> tuple[Contract, float]:
        """IB's own contract for a leg, and its price tick. The registry's primary exchange is
        a hint: when IB knows no such listing, the symbol is asked for without it."""
        key = (leg.symbol, leg.instrument)
        if key in self.contracts:
            return self.contracts[key]
        wanted = contract_for(leg)
        details = await self._details(wanted)
        if not details and wanted.primaryExchange:
            wanted.primaryExchange = ""
            details = await self._details(wanted)
        if len(details) > 1:
            hint = leg.instrument.primary_exchange
            details = [d for d in details if d.contract.primaryExchange == hint] or details
        if len(details) != 1:
            names = ", ".join(f"{d.contract.symbol}@{d.contract.primaryExchange}" for d in details)
            raise OrderRefused(f"{leg.symbol}: IB lists several contracts ({names})")
        contract = details[0].contract
        tick = details[0].minTick or 0.01
        self.contracts[key] = (contract, tick)
        self.symbols[contract.conId] = leg.symbol
        return contract, tick

    async def _details(self, contract: Contract) -> list[Any]:
        try:
            return await asyncio.wait_for(self.ib.reqContractDetailsAsync(contract), self.timeout)
        except RequestError as error:
            if error.code == 200 and contract.primaryExchange:
                return []  # no such listing: asked again without the primary exchange
            raise OrderRefused(
                f"IB refused the contract for {contract.symbol}: {error.code} {error.message}"
            ) from error

    def orders(self) -> list[PlacedOrder]:
        async def ours() -> list[PlacedOrder]:
            refs = {t.order.orderRef for ib in self._connections() for t in ib.trades()}
            refs |= {f.execution.orderRef for ib in self._connections() for f in ib.fills()}
            found = [await self._find(ref) for ref in sorted(refs) if ref.startswith("pairs-")]
            return [order for order in found if order is not None]

        return self._call(ours)

    def last_fill(self, symbol: str) -> Quote | None:
        """IB's fills are reported to the service, which keeps their prices."""
        return None

    def advance(self) -> None:
        """IB's events arrive on their own thread."""

    def wait_for_news(self, timeout: float) -> None:
        if self.news.wait(timeout):
            self.news.clear()

    def positions(self) -> list[Position]:
        async def read() -> list[Position]:
            marked = {(item.account, item.contract.conId): item for item in self.ib.portfolio()}
            positions = []
            held = [p for p in self.ib.positions() if p.account == self.account_code]
            for item in held:
                multiplier = float(item.contract.multiplier or 1)
                mark = marked.get((item.account, item.contract.conId))
                positions.append(
                    Position(
                        self.symbols.get(item.contract.conId, ""),
                        item.position,
                        round(item.avgCost / multiplier, 6),
                        round(mark.unrealizedPNL, 2) if mark is not None else 0.0,
                        spellings_of(item.contract),
                    )
                )
            holding = {item.contract.conId for item in held}
            for con_id, contract in self.flat.items():
                if con_id not in holding:
                    symbol = self.symbols.get(con_id, "")
                    positions.append(Position(symbol, 0.0, 0.0, 0.0, spellings_of(contract)))
            return positions

        return self._call(read)

    def account(self) -> dict[str, float]:
        async def read() -> dict[str, float]:
            daily = getattr(self.pnl, "dailyPnL", None)
            return account_figures(self.ib.accountValues(self.account_code), daily)

        return self._call(read)
