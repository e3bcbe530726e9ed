"""A stand-in for TWS / IB Gateway and for ib_async's ``IB`` client, built from ib_async's own
data types, so that the IB broker is tested without a network.

``FakeTWS`` is the broker's side, which outlives any client: orders with their order and perm
ids, executions and commissions, positions, account values. The test plays it: it fills orders
(in parts), rejects them, warns about them (error 399), drops the connection, goes offline.
``FakeIB`` is one client session, as ``IB`` keeps it: connecting downloads this client's open
orders, the completed orders and the day's executions; a dropped connection forgets them. Its
state changes and events happen on the asyncio loop it was connected on, as ib_async's do."""

import asyncio
import copy
import datetime
import itertools
import threading
from dataclasses import dataclass, field

from eventkit import Event
from ib_async import (
    AccountValue,
    CommissionReport,
    Contract,
    Execution,
    Fill,
    Order,
    OrderStatus,
    PnL,
    PortfolioItem,
    Position,
    Trade,
    TradeLogEntry,
)

ACCOUNT = "DU1234567"
REJECTED = 201  # "Order rejected - reason: ..."
WARNING = 399  # "Order Message: Warning: ..."; the order stays live


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class HeldOrder:
    """An order as TWS holds it."""

    client_id: int
    contract: Contract
    order: Order
    status: str = OrderStatus.Submitted
    log: list[TradeLogEntry] = field(default_factory=list)


class FakeTWS:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.online = True
        self.sync_times_out = False  # the start-up download of orders does not finish
        self.held: dict[int, HeldOrder] = {}  # order id → order
        self.fills: list[Fill] = []
        self.received: list[tuple[Contract, Order]] = []  # every order placed, in order
        self.next_order_id = 101
        self.exec_ids = itertools.count(1)
        self.con_ids: dict[tuple[str, str, str], int] = {}  # IB's contract ids
        self.holdings: dict[str, list] = {}  # symbol → [contract, quantity, cost]
        self.marks: dict[str, float] = {}
        self.account_values = [
            AccountValue(ACCOUNT, "NetLiquidation", "100000.5", "USD", ""),
            AccountValue(ACCOUNT, "AvailableFunds", "80000", "USD", ""),
            AccountValue(ACCOUNT, "BuyingPower", "320000", "USD", ""),
            AccountValue(ACCOUNT, "UnrealizedPnL", "12", "USD", ""),
            AccountValue(ACCOUNT, "UnrealizedPnL", "15", "BASE", ""),
            AccountValue(ACCOUNT, "RealizedPnL", "-3.25", "BASE", ""),
        ]
        self.daily_pnl = 42.0
        self.client: FakeIB | None = None

    # --- what the test does as the broker

    def order_id_of(self, ref: str) -> int:
        return next(i for i, held in self.held.items() if held.order.orderRef == ref)

    def fill(self, ref: str, shares: float, price: float, commission: float = 1.0) -> Fill:
        """Execute ``shares`` of the order placed under ``ref`` at ``price``."""
        with self.lock:
            order_id = self.order_id_of(ref)
            held = self.held[order_id]
            done = [f for f in self.fills if f.execution.orderId == order_id]
            cumulative = sum(f.execution.shares for f in done) + shares
            value = sum(f.execution.shares * f.execution.price for f in done) + shares * price
            exec_id = f"0001.{next(self.exec_ids)}"
            execution = Execution(
                execId=exec_id,
                time=_now(),
                acctNumber=ACCOUNT,
                side="BOT" if held.order.action == "BUY" else "SLD",
                shares=shares,
                price=price,
                permId=held.order.permId,
                clientId=held.client_id,
                orderId=order_id,
                cumQty=cumulative,
                avgPrice=value / cumulative,
                orderRef=held.order.orderRef,
            )
            report = CommissionReport(exec_id, commission, "USD")
            fill = Fill(held.contract, execution, report, execution.time)
            self.fills.append(fill)
            if cumulative >= held.order.totalQuantity:
                held.status = OrderStatus.Filled
            symbol = held.contract.symbol
            entry = self.holdings.setdefault(symbol, [held.contract, 0.0, 0.0])
            sign = 1 if held.order.action == "BUY" else -1
            entry[1] += sign * shares
            entry[2] += sign * shares * price
            self.marks[symbol] = price
        self._tell(lambda ib: ib.on_fill(copy.deepcopy(fill), held.status))
        return fill

    def send_again(self, fill: Fill) -> None:
        """TWS repeats an execution (as after a reconnect): the same execId."""
        self._tell(lambda ib: ib.on_fill(copy.deepcopy(fill), None))

    def reject(self, ref: str, text: str = "Order rejected - reason: no trading permissions"):
        self._error(ref, REJECTED, text, OrderStatus.Cancelled)

    def warn(self, ref: str, text: str = "Order Message: Warning: price cap applied") -> None:
        self._error(ref, WARNING, text, None)

    def _error(self, ref: str, code: int, text: str, status: str | None) -> None:
        with self.lock:
            order_id = self.order_id_of(ref)
            held = self.held[order_id]
            if status is not None:
                held.status = status
            held.log.append(TradeLogEntry(_now(), held.status, text, code))
        self._tell(lambda ib: ib.on_error(order_id, code, text, status))

    def drop(self) -> None:
        """The connection breaks (TWS restarts, the network goes)."""
        self._tell(lambda ib: ib.disconnect())

    def _tell(self, change) -> None:
        client = self.client
        if client is not None and client.loop is not None and client.connected:
            client.loop.call_soon_threadsafe(change, client)

    # --- what a client asks of it

    def accept(self, client_id: int, contract: Contract, order: Order) -> int:
        with self.lock:
            order_id = order.orderId or self.next_order_id
            self.next_order_id = max(self.next_order_id, order_id) + 1
            order.orderId, order.clientId, order.permId = order_id, client_id, 9000 + order_id
            key = (contract.symbol, contract.secType, contract.currency)
            contract.conId = self.con_ids.setdefault(key, 500 + len(self.con_ids))
            self.held[order_id] = HeldOrder(
                client_id, copy.deepcopy(contract), copy.deepcopy(order)
            )
            self.received.append((copy.deepcopy(contract), copy.deepcopy(order)))
            return order_id

    def trade_of(self, held: HeldOrder) -> Trade:
        status = OrderStatus(orderId=held.order.orderId, status=held.status)
        fills = [f for f in self.fills if f.execution.orderId == held.order.orderId]
        status.filled = sum(f.execution.shares for f in fills)
        return copy.deepcopy(Trade(held.contract, held.order, status, fills, list(held.log)))


class FakeIB:
    """What the bridge sees of ``ib_async.IB``."""

    def __init__(self, tws: FakeTWS) -> None:
        self.tws = tws
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connected = False
        self.client_id = 0
        self.account = ""
        self._trades: dict[int, Trade] = {}
        self._fills: dict[str, Fill] = {}
        self.pnl: PnL | None = None
        self.connectedEvent = Event("connectedEvent")
        self.disconnectedEvent = Event("disconnectedEvent")
        self.orderStatusEvent = Event("orderStatusEvent")
        self.execDetailsEvent = Event("execDetailsEvent")
        self.commissionReportEvent = Event("commissionReportEvent")
        self.errorEvent = Event("errorEvent")

    # --- the connection

    async def connectAsync(
        self, host, port, clientId=1, timeout=4, account="", raiseSyncErrors=False, **_
    ):
        await asyncio.sleep(0)
        if not self.tws.online:
            raise ConnectionRefusedError(f"Connect call failed ('{host}', {port})")
        self.loop = asyncio.get_running_loop()
        self.client_id, self.account = clientId, account or ACCOUNT
        with self.tws.lock:
            if self.tws.sync_times_out:
                if raiseSyncErrors:
                    raise ConnectionError(["open orders request timed out"])
            else:  # this client's open orders, every completed order, the day's executions
                for held in self.tws.held.values():
                    if held.client_id == clientId or held.status in OrderStatus.DoneStates:
                        self._trades[held.order.orderId] = self.tws.trade_of(held)
                self._fills = {f.execution.execId: copy.deepcopy(f) for f in self.tws.fills}
        self.connected = True
        self.tws.client = self
        self.connectedEvent.emit()
        return self

    async def reqAllOpenOrdersAsync(self):
        await asyncio.sleep(0)
        with self.tws.lock:
            for held in self.tws.held.values():
                if held.status not in OrderStatus.DoneStates:
                    self._trades.setdefault(held.order.orderId, self.tws.trade_of(held))
        return list(self._trades.values())

    def isConnected(self) -> bool:
        return self.connected

    def disconnect(self) -> None:
        if not self.connected:
            return
        self.connected = False
        self._trades.clear()  # ib_async forgets the session's state
        self._fills.clear()
        self.pnl = None
        self.disconnectedEvent.emit()

    def managedAccounts(self) -> list[str]:
        return [ACCOUNT]

    # --- orders

    def placeOrder(self, contract: Contract, order: Order) -> Trade:
        assert asyncio.get_running_loop() is self.loop, "placed from outside the IB loop"
        order_id = self.tws.accept(self.client_id, contract, order)
        trade = Trade(contract, order, OrderStatus(orderId=order_id, status="Submitted"), [], [])
        self._trades[order_id] = trade
        return trade

    def trades(self) -> list[Trade]:
        return list(self._trades.values())

    def fills(self) -> list[Fill]:
        return list(self._fills.values())

    def on_fill(self, fill: Fill, status: str | None) -> None:
        if fill.execution.execId in self._fills:
            return  # ib_async keys executions by id: a repeat changes nothing
        self._fills[fill.execution.execId] = fill
        trade = self._trades.get(fill.execution.orderId)
        if trade is not None:
            trade.fills.append(fill)
            trade.orderStatus.filled = fill.execution.cumQty
            if status is not None:
                trade.orderStatus.status = status
        self.execDetailsEvent.emit(trade, fill)
        self.commissionReportEvent.emit(trade, fill, fill.commissionReport)
        if trade is not None:
            self.orderStatusEvent.emit(trade)

    def on_error(self, order_id: int, code: int, text: str, status: str | None) -> None:
        # As ib_async does: a warning marks the trade ValidationError and leaves it live; an
        # error on an order cancels it. Either way the log keeps the code and the words.
        trade = self._trades.get(order_id)
        if trade is not None:
            trade.orderStatus.status = status or OrderStatus.ValidationError
            trade.log.append(TradeLogEntry(_now(), trade.orderStatus.status, text, code))
            self.orderStatusEvent.emit(trade)
        self.errorEvent.emit(order_id, code, text, None)

    # --- positions and the account

    def positions(self) -> list[Position]:
        with self.tws.lock:
            return [
                Position(ACCOUNT, contract, quantity, cost / quantity if quantity else 0.0)
                for contract, quantity, cost in self.tws.holdings.values()
            ]

    def portfolio(self) -> list[PortfolioItem]:
        items = []
        with self.tws.lock:
            for symbol, (contract, quantity, cost) in self.tws.holdings.items():
                mark = self.tws.marks[symbol] + 1  # the market moved a point up
                value = quantity * mark
                average = cost / quantity if quantity else 0.0
                items.append(
                    PortfolioItem(
                        contract, quantity, mark, value, average, value - cost, 0, ACCOUNT
                    )
                )
        return items

    def accountValues(self, account: str = "") -> list[AccountValue]:
        return [v for v in self.tws.account_values if not account or v.account == account]

    def reqPnL(self, account: str, modelCode: str = "") -> PnL:
        self.pnl = PnL(account=account, dailyPnL=self.tws.daily_pnl)
        return self.pnl
