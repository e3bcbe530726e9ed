"""A stand-in for TWS / IB Gateway on a real socket, for the IB broker's tests.

It speaks the TWS API wire protocol (length-prefixed, NUL-separated fields) to the real ib_async
client: the handshake, ``nextValidId``, ``managedAccounts``, contract details, orders and their
status, executions, commission reports, positions, account values and P&L, errors. Field order
follows what IB Gateway sends at the negotiated server version; the values (account ``DU…``
codes, conIds, exec ids such as ``0000e0d5.6571a5b2.01.01``, ``ISLAND`` executions, the unset
double ``1.7976931348623157E308``, the farm messages at login, error texts) are the ones public
recordings of IB Gateway paper sessions show.

It keeps IB's routing rules, the ones a bridge gets wrong:

- order events (open order, status, executions, commissions, order errors) go to the client id
  that placed the order, and to the master client id when one is set; nobody else hears them;
- ``reqOpenOrders`` lists the caller's orders, ``reqAllOpenOrders`` every client's;
- ``reqExecutions`` returns the caller's executions only (the master's: all);
- completed orders carry no order id (ib_async reads 0) and no client id;
- a second connection under a client id in use is refused with error 326.

Tests drive the market by hand: ``fill``, ``correct``, ``reject``, ``warn``, ``error``,
``cut_off``/``restore``, ``drop_connections``. Every call waits until the messages are written.
"""

import contextlib
import itertools
import math
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

UNSET_DOUBLE = "1.7976931348623157E308"
UNSET_INTEGER = "2147483647"
UNSET_LONG = "9223372036854775807"
SERVER_VERSION = 187  # what a current IB Gateway offers; the client's maximum is taken
ACCOUNT = "DU1234567"

# IB's own words for the codes the bridge must tell apart.
MESSAGES = {
    200: "No security definition has been found for the request",
    201: "Order rejected - reason:",
    202: "Order Canceled - reason:",
    326: "Unable to connect as the client id is already in use. Retry with a unique client id.",
    399: "Order Message:\nBUY 100 AAPL NASDAQ.NMS\nWarning: your order will not be placed at the "
    "exchange until 2026-12-07 09:30:00 US/Eastern",
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained. "
    "All data farms are connected: usfarmhmds; ushmds; secdefnj.",
    2104: "Market data farm connection is OK:usfarm",
    2106: "HMDS data farm connection is OK:ushmds",
    2110: "Connectivity between Trader Workstation and server is broken. It will be restored "
    "automatically.",
    2158: "Sec-def data farm connection is OK:secdefnj",
    10289: "Failed to place order: the order size exceeds the size limit set in TWS "
    "(Precautionary Settings).",
    10349: "Order TIF was set to DAY based on order preset.",
}


@dataclass
class Listing:
    """A contract as IB knows it."""

    con_id: int
    symbol: str
    sectype: str
    exchange: str  # where it is routed: SMART, IDEALPRO, PAXOS
    primary: str
    currency: str
    local_symbol: str
    trading_class: str
    min_tick: float
    long_name: str
    mark: float  # the market price the portfolio is valued at


LISTINGS = [
    Listing(265598, "AAPL", "STK", "SMART", "NASDAQ", "USD", "AAPL", "NMS", 0.01, "APPLE INC", 190),
    Listing(76792991, "TSLA", "STK", "SMART", "NASDAQ", "USD", "TSLA", "NMS", 0.01, "TESLA", 250),
    Listing(272093, "MSFT", "STK", "SMART", "NASDAQ", "USD", "MSFT", "NMS", 0.01, "MICROSOFT", 400),
    Listing(9720, "NMFC", "STK", "SMART", "NASDAQ", "USD", "NMFC", "NMFC", 0.01, "NEW MTN", 13),
    Listing(
        98463618, "ROIC", "STK", "SMART", "NASDAQ", "USD", "ROIC", "ROIC", 0.01, "RETAIL OPP", 15
    ),
    Listing(5850, "BF A", "STK", "SMART", "NYSE", "USD", "BF A", "BF A", 0.01, "BROWN-F A", 35),
    Listing(
        12087792, "EUR", "CASH", "IDEALPRO", "", "USD", "EUR.USD", "EUR.USD", 5e-05, "EUR.USD", 1.08
    ),
    Listing(
        15016059, "USD", "CASH", "IDEALPRO", "", "JPY", "USD.JPY", "USD.JPY", 0.005, "USD.JPY", 150
    ),
    Listing(
        479624278, "BTC", "CRYPTO", "PAXOS", "", "USD", "BTC.USD", "BTC", 0.25, "BITCOIN", 90000
    ),
]


@dataclass
class WireOrder:
    order_id: int
    client_id: int
    perm_id: int
    listing: Listing
    action: str
    quantity: float
    order_type: str
    limit: str
    aux: str
    tif: str
    account: str
    ref: str
    transmit: bool
    parent_id: int
    hedge_type: str
    hedge_param: str
    status: str = "PreSubmitted"
    filled: float = 0.0
    average: float = 0.0
    last_price: float = 0.0
    why: str = ""  # completed status: "Filled Size: 100", "Cancelled by Trader"...
    completed_at: str = ""

    @property
    def open(self) -> bool:
        return self.status in ("PreSubmitted", "Submitted", "PendingSubmit")


@dataclass
class WireExecution:
    exec_id: str
    order: WireOrder
    shares: float
    price: float
    cum_qty: float
    average: float
    at: str
    commission: float


@dataclass
class Session:
    sock: socket.socket
    client_id: int = -1
    positions: bool = False  # subscribed to reqPositions
    account_updates: str = ""  # the account subscribed with reqAccountUpdates
    pnl_requests: dict[int, str] = field(default_factory=dict)
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, *fields: object) -> None:
        text = "".join(f"{_text(value)}\0" for value in fields).encode()
        with self.send_lock, contextlib.suppress(OSError):
            self.sock.sendall(struct.pack(">I", len(text)) + text)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else UNSET_DOUBLE
    return str(value)


def _ib_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%d  %H:%M:%S")  # executions: two spaces, the gateway's zone


class TWS:
    """``with TWS() as tws:`` listens on a free loopback port, ``tws.port``."""

    def __init__(
        self,
        *,
        accounts: tuple[str, ...] = (ACCOUNT,),
        master_client_id: int | None = None,
        tif_preset: bool = True,
        listings: list[Listing] | None = None,
        port: int = 0,
    ) -> None:
        self.accounts = accounts
        self.master_client_id = master_client_id
        # Current TWS answers an order without a TIF with 10349 and makes it a DAY order.
        self.tif_preset = tif_preset
        self.listings = list(listings or LISTINGS)
        self.lock = threading.RLock()
        self.sessions: list[Session] = []
        self.orders: list[WireOrder] = []
        self.executions: list[WireExecution] = []
        # (account, conId) → [quantity, average cost]; a position that went flat stays at 0.
        self.positions: dict[tuple[str, int], list[float]] = {}
        self.realized = 0.0
        self.next_order_id = 1
        self.perm_ids = itertools.count(1376327563)
        self.exec_numbers = itertools.count(1)
        self.contract_requests: list[tuple[str, str, str, str]] = []
        self.server = socket.create_server(("127.0.0.1", port))
        self.port = self.server.getsockname()[1]
        self.running = False
        self.threads: list[threading.Thread] = []

    # --- the server

    def __enter__(self) -> "TWS":
        self.running = True
        acceptor = threading.Thread(target=self._accept, name="tws-accept", daemon=True)
        acceptor.start()
        self.threads.append(acceptor)
        return self

    def __exit__(self, *_: object) -> None:
        self.running = False
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        with contextlib.suppress(OSError):
            self.server.close()
        self.drop_connections()
        for thread in self.threads:
            thread.join(2)

    def _accept(self) -> None:
        while self.running:
            try:
                sock, _ = self.server.accept()
            except OSError:
                return
            session = Session(sock)
            reader = threading.Thread(target=self._serve, args=(session,), daemon=True)
            reader.start()
            self.threads.append(reader)

    def _serve(self, session: Session) -> None:
        sock = session.sock
        try:
            if _read_exact(sock, 4) != b"API\0":
                return
            _read_message(sock)  # "v157..178": the client's range of versions
            session.send(178, datetime.now(UTC).strftime("%Y%m%d %H:%M:%S UTC"))
            while self.running:
                fields = _read_message(sock)
                if fields is None:
                    return
                with self.lock:
                    self._handle(session, fields)
        except OSError:
            return
        finally:
            with self.lock:
                if session in self.sessions:
                    self.sessions.remove(session)
            with contextlib.suppress(OSError):
                sock.close()

    def drop_connections(self) -> None:
        """Every API connection breaks (TWS restarts, the network goes)."""
        with self.lock:
            sessions, self.sessions = list(self.sessions), []
        for session in sessions:
            with contextlib.suppress(OSError):
                session.sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                session.sock.close()

    @property
    def client_ids(self) -> list[int]:
        with self.lock:
            return [s.client_id for s in self.sessions]

    # --- requests

    def _handle(self, session: Session, fields: list[str]) -> None:
        kind = int(fields[0])
        if kind == 71:  # startApi
            self._start(session, int(fields[2]))
        elif kind == 3:
            self._place(session, fields)
        elif kind == 4:
            self._cancel(session, int(fields[2]))
        elif kind == 5:  # reqOpenOrders: the caller's
            self._open_orders(session, lambda o: self._hears(session, o))
        elif kind == 16:  # reqAllOpenOrders: everyone's
            self._open_orders(session, lambda o: True)
        elif kind == 99:
            self._completed_orders(session)
        elif kind == 7:
            self._executions(session, int(fields[2]), int(fields[3] or 0))
        elif kind == 61:
            session.positions = True
            for (account, con_id), (quantity, cost) in self.positions.items():
                self._send_position(session, account, con_id, quantity, cost)
            session.send(62, 1)
        elif kind == 6:
            self._account_updates(session, fields[2] == "1", fields[3])
        elif kind == 76:
            self._account_multi(session, int(fields[2]), fields[3])
        elif kind == 92:
            session.pnl_requests[int(fields[1])] = fields[2]
            self._send_pnl(session, int(fields[1]))
        elif kind == 93:
            session.pnl_requests.pop(int(fields[1]), None)
        elif kind == 9:
            self._contract_details(session, fields)
        elif kind == 8:
            session.send(9, 1, self.next_order_id)
        elif kind == 49:
            session.send(49, 1, int(datetime.now(UTC).timestamp()))
        # Anything else (market data type, cancels of subscriptions...) needs no answer here.

    def _start(self, session: Session, client_id: int) -> None:
        if client_id in self.client_ids:
            session.send(4, 2, -1, 326, MESSAGES[326], "")
            with contextlib.suppress(OSError):
                session.sock.shutdown(socket.SHUT_RDWR)
            return
        session.client_id = client_id
        self.sessions.append(session)
        session.send(15, 1, ",".join(self.accounts))
        session.send(9, 1, self.next_order_id)
        for code in (2104, 2106, 2158):
            session.send(4, 2, -1, code, MESSAGES[code], "")

    def _listing(self, symbol: str, sectype: str, currency: str, primary: str) -> list[Listing]:
        return [
            listing
            for listing in self.listings
            if listing.symbol == symbol
            and listing.sectype == sectype
            and (not currency or listing.currency == currency)
            and (not primary or listing.primary == primary)
        ]

    def _contract_details(self, session: Session, fields: list[str]) -> None:
        request_id = int(fields[2])
        # After the request id: conId, symbol, secType, expiry, strike, right, multiplier,
        # exchange, primaryExchange, currency...
        con_id, symbol, sectype = fields[3], fields[4], fields[5]
        primary, currency = fields[11], fields[12]
        self.contract_requests.append((symbol, sectype, currency, primary))
        found = (
            [listing for listing in self.listings if str(listing.con_id) == con_id]
            if con_id not in ("", "0")
            else self._listing(symbol, sectype, currency, primary)
        )
        if not found:
            session.send(4, 2, request_id, 200, MESSAGES[200], "")
            return
        for listing in found:
            session.send(
                *(10, request_id, listing.symbol, listing.sectype, "", 0.0, "", listing.exchange),
                *(listing.currency, listing.local_symbol, listing.trading_class),
                *(listing.trading_class, listing.con_id, listing.min_tick, ""),
                *("ACTVRT,LMT,MKT,REL,STP", f"{listing.exchange},{listing.primary}", 1, 0),
                *(listing.long_name, listing.primary, "", "", "", "", "US/Eastern", "", ""),
                *("", "", 0, 1, "", "", "26", "", "COMMON", 1, 1, 1),
            )
        session.send(52, 1, request_id)

    def _hears(self, session: Session, order: WireOrder) -> bool:
        """IB tells an order's news to the client that placed it, and to the master client."""
        return session.client_id in (order.client_id, self.master_client_id)

    def _listeners(self, order: WireOrder) -> list[Session]:
        return [s for s in self.sessions if self._hears(s, order)]

    def _place(self, session: Session, fields: list[str]) -> None:
        order_id = int(fields[1])
        contract = fields[2:14]  # conId, symbol, secType, ..., exchange, primary, currency...
        con_id, symbol, sectype = contract[0], contract[1], contract[2]
        primary, currency = contract[8], contract[9]
        found = (
            [listing for listing in self.listings if str(listing.con_id) == con_id]
            if con_id not in ("", "0")
            else self._listing(symbol, sectype, currency, primary)
        )
        if len(found) != 1:
            session.send(4, 2, order_id, 200, MESSAGES[200], "")
            return
        action, quantity, order_type, limit, aux, tif = fields[16:22]
        account, ref, transmit, parent_id = fields[23], fields[26], fields[27], fields[28]
        hedge_type, hedge_param = _hedge_of(fields)
        existing = self._order(order_id=order_id, client_id=session.client_id)
        if existing is not None:  # a modification: only its quantity and prices move here
            existing.quantity, existing.limit, existing.aux = float(quantity), limit, aux
            self._tell_status(existing)
            return
        order = WireOrder(
            order_id,
            session.client_id,
            next(self.perm_ids),
            found[0],
            action,
            float(quantity),
            order_type,
            limit,
            aux,
            tif,
            account or self.accounts[0],
            ref,
            transmit == "1",
            int(parent_id or 0),
            hedge_type,
            hedge_param,
        )
        self.orders.append(order)
        self.next_order_id = max(self.next_order_id, order_id + 1)
        preset = not order.tif and self.tif_preset
        if preset:
            order.tif = "DAY"
        self._tell_status(order)
        if order.transmit:
            order.status = "Submitted"
            for parent in self.orders:
                if parent.order_id == order.parent_id and parent.client_id == order.client_id:
                    parent.status = "Submitted"  # a child's transmission sends its parent
                    self._tell_status(parent)
            self._tell_status(order)
        if preset:  # told after the order is live, which it stays
            self._order_error(order, 10349)

    def _cancel(self, session: Session, order_id: int) -> None:
        order = self._order(order_id=order_id, client_id=session.client_id)
        if order is None or not order.open:
            session.send(
                4,
                2,
                order_id,
                10148,
                "OrderId that needs to be cancelled can not be cancelled, state: Filled.",
                "",
            )
            return
        self._finish(order, "Cancelled", "Cancelled by Trader")
        self._order_error(order, 202, f"{MESSAGES[202]} ")

    def _open_orders(self, session: Session, chosen) -> None:
        for order in self.orders:
            if order.open and chosen(order):
                self._send_open_order(session, order)
                self._send_status(session, order)
        session.send(53, 1)

    def _completed_orders(self, session: Session) -> None:
        for order in self.orders:
            if not order.open:
                self._send_completed_order(session, order)
        session.send(102)

    def _executions(self, session: Session, request_id: int, client_filter: int) -> None:
        master = session.client_id == self.master_client_id
        for execution in self.executions:
            placed_by = execution.order.client_id
            if (master or placed_by == session.client_id) and client_filter in (0, placed_by):
                self._send_execution(session, execution, request_id)
                self._send_commission(session, execution)
        session.send(55, 1, request_id)

    def _account_updates(self, session: Session, subscribe: bool, account: str) -> None:
        session.account_updates = account if subscribe else ""
        if subscribe:
            self._send_account(session, account)

    def _account_multi(self, session: Session, request_id: int, account: str) -> None:
        for tag, value in self._account_values(account):
            session.send(73, 1, request_id, account, "", tag, value, "USD")
        session.send(74, 1, request_id)

    # --- the market, driven by the test

    def order(self, ref: str, wait: float = 5.0) -> WireOrder:
        """The order placed under ``ref``, waited for: the client sends without waiting."""
        deadline = time.monotonic() + wait
        while True:
            with self.lock:
                found = self._order(ref=ref)
            if found is not None or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        assert found is not None, f"no order {ref}"
        return found

    def _order(self, *, ref: str = "", order_id: int = 0, client_id: int = -1):
        for order in reversed(self.orders):
            if ref and order.ref == ref:
                return order
            if order_id and order.order_id == order_id and order.client_id == client_id:
                return order
        return None

    def fill(self, ref: str, shares: float, price: float, *, commission: float = 1.0) -> str:
        """Part or all of an order executes; a pair hedge child works as its parent fills.
        Returns the execution's id."""
        with self.lock:
            order = self.order(ref)
            assert order.status == "Submitted", f"{ref} is {order.status}"
            if order.hedge_type == "P":
                parent = self._order(order_id=order.parent_id, client_id=order.client_id)
                allowed = math.floor(parent.filled * float(order.hedge_param) + 1e-9)
                assert order.filled + shares <= allowed, "a hedge child works as its parent fills"
            assert order.filled + shares <= order.quantity, "more than the order"
            order.average = (order.average * order.filled + price * shares) / (
                order.filled + shares
            )
            order.filled += shares
            order.last_price = price
            number = next(self.exec_numbers)
            execution = WireExecution(
                f"0000e0d5.6571a5{number:02x}.01.01",
                order,
                shares,
                price,
                order.filled,
                round(order.average, 6),
                _ib_time(datetime.now(UTC)),
                commission,
            )
            self.executions.append(execution)
            for session in self._listeners(order):
                self._send_execution(session, execution, -1)
            if order.filled >= order.quantity:
                order.status = "Filled"
                order.why = f"Filled Size: {order.filled:g}"
                order.completed_at = datetime.now(UTC).strftime("%Y%m%d %H:%M:%S UTC")
            self._tell_status(order)
            for session in self._listeners(order):
                self._send_commission(session, execution)
            self._move_position(order, shares, price)
            return execution.exec_id

    def correct(self, exec_id: str, *, shares: float, price: float) -> str:
        """IB corrects an execution: the same id with its last part counted up (.01 → .02)."""
        with self.lock:
            old = next(e for e in self.executions if e.exec_id == exec_id)
            stem, _, version = exec_id.rpartition(".")
            execution = WireExecution(
                f"{stem}.{int(version) + 1:02d}",
                old.order,
                shares,
                price,
                old.cum_qty,
                old.average,
                old.at,
                old.commission,
            )
            self.executions.remove(old)
            self.executions.append(execution)
            for session in self._listeners(old.order):
                self._send_execution(session, execution, -1)
                self._send_commission(session, execution)
            return execution.exec_id

    def reject(self, ref: str, code: int = 201, reason: str = "") -> None:
        """IB refuses an order (201 rejected, 10289 precautionary size...): it becomes
        Inactive and is told to its client in words."""
        with self.lock:
            order = self.order(ref)
            self._order_error(order, code, f"{MESSAGES[code]} {reason}".strip())
            self._finish(order, "Inactive", "Rejected")

    def cancel(self, ref: str) -> None:
        """IB cancels an order itself (the day ended, a margin check): 202."""
        with self.lock:
            order = self.order(ref)
            self._order_error(order, 202, f"{MESSAGES[202]} ")
            self._finish(order, "Cancelled", "Cancelled by System")

    def warn(self, ref: str, code: int = 399) -> None:
        """A message about a live order (399, 10349...): the order stays as it is."""
        with self.lock:
            self._order_error(self.order(ref), code)

    def _finish(self, order: WireOrder, status: str, why: str) -> None:
        order.status, order.why = status, why
        order.completed_at = datetime.now(UTC).strftime("%Y%m%d %H:%M:%S UTC")
        self._tell_status(order)

    def _order_error(self, order: WireOrder, code: int, text: str = "") -> None:
        for session in self._listeners(order):
            session.send(4, 2, order.order_id, code, text or MESSAGES[code], "")

    def system_message(self, code: int) -> None:
        """A message about the connection itself, to every client (1100, 1102, 2110...)."""
        with self.lock:
            for session in self.sessions:
                session.send(4, 2, -1, code, MESSAGES[code], "")

    def cut_off(self) -> None:
        self.system_message(1100)

    def restore(self) -> None:
        self.system_message(1102)

    def set_mark(self, symbol: str, price: float) -> None:
        with self.lock:
            for listing in self.listings:
                if listing.symbol == symbol:
                    listing.mark = price
            for session in self.sessions:
                if session.account_updates:
                    self._send_account(session, session.account_updates)

    # --- positions and the account

    def _move_position(self, order: WireOrder, shares: float, price: float) -> None:
        key = (order.account, order.listing.con_id)
        quantity, cost = self.positions.get(key, [0.0, 0.0])
        signed = shares if order.action == "BUY" else -shares
        after = quantity + signed
        if quantity and (quantity > 0) != (signed > 0):  # closing part of it
            closed = min(abs(signed), abs(quantity))
            self.realized += closed * (price - cost) * (1 if quantity > 0 else -1)
        if after == 0:
            cost = 0.0
        elif quantity == 0 or (quantity > 0) != (after > 0):
            cost = price
        elif (quantity > 0) == (signed > 0):
            cost = (quantity * cost + signed * price) / after
        self.positions[key] = [after, cost]
        for session in self.sessions:
            if session.positions:
                self._send_position(session, *key, after, cost)
            if session.account_updates == order.account:
                self._send_account(session, order.account)
            for request_id in session.pnl_requests:
                self._send_pnl(session, request_id)

    def _send_position(self, session, account, con_id, quantity, cost) -> None:
        listing = next(item for item in self.listings if item.con_id == con_id)
        session.send(
            *(61, 3, account, con_id, listing.symbol, listing.sectype, "", 0.0, "", ""),
            *(listing.exchange, listing.currency, listing.local_symbol, listing.trading_class),
            *(float(quantity), float(cost)),
        )

    def _unrealized(self, account: str) -> float:
        total = 0.0
        for (held_by, con_id), (quantity, cost) in self.positions.items():
            if held_by == account:
                mark = next(item.mark for item in self.listings if item.con_id == con_id)
                total += quantity * (mark - cost)
        return round(total, 2)

    def _account_values(self, account: str) -> list[tuple[str, str]]:
        gross = sum(
            abs(quantity) * next(i.mark for i in self.listings if i.con_id == con_id)
            for (held_by, con_id), (quantity, _) in self.positions.items()
            if held_by == account
        )
        net = 1_000_000 + self.realized + self._unrealized(account)
        return [
            ("AccountCode", account),
            ("AvailableFunds", f"{net - gross * 0.25:.2f}"),
            ("BuyingPower", f"{(net - gross * 0.25) * 4:.2f}"),
            ("GrossPositionValue", f"{gross:.2f}"),
            ("MaintMarginReq", f"{gross * 0.25:.2f}"),
            ("NetLiquidation", f"{net:.2f}"),
            ("RealizedPnL", f"{self.realized:.2f}"),
            ("UnrealizedPnL", f"{self._unrealized(account):.2f}"),
        ]

    def _send_account(self, session: Session, account: str) -> None:
        for tag, value in self._account_values(account):
            currency = "" if tag == "AccountCode" else "USD"
            session.send(6, 2, tag, value, currency, account)
        for (held_by, con_id), (quantity, cost) in self.positions.items():
            if held_by != account:
                continue
            listing = next(item for item in self.listings if item.con_id == con_id)
            session.send(
                *(7, 8, con_id, listing.symbol, listing.sectype, "", 0.0, "", ""),
                *(listing.primary, listing.currency, listing.local_symbol),
                *(listing.trading_class, float(quantity), listing.mark),
                *(quantity * listing.mark, float(cost)),
                *(round(quantity * (listing.mark - cost), 2), 0.0, account),
            )
        session.send(8, 1, datetime.now(UTC).strftime("%H:%M"))
        session.send(54, 1, account)

    def _send_pnl(self, session: Session, request_id: int) -> None:
        account = session.pnl_requests[request_id]
        unrealized = self._unrealized(account)
        session.send(94, request_id, self.realized + unrealized, unrealized, self.realized)

    # --- orders on the wire

    def _tell_status(self, order: WireOrder) -> None:
        for session in self._listeners(order):
            self._send_open_order(session, order)
            self._send_status(session, order)

    def _send_status(self, session: Session, order: WireOrder) -> None:
        session.send(
            *(3, order.order_id, order.status, order.filled, order.quantity - order.filled),
            *(round(order.average, 6), order.perm_id, order.parent_id, order.last_price),
            *(order.client_id, "", 0.0),
        )

    def _order_fields(self, order: WireOrder) -> list[object]:
        listing = order.listing
        return [
            *(listing.con_id, listing.symbol, listing.sectype, "", 0.0, "?", ""),
            *(listing.exchange, listing.currency, listing.local_symbol, listing.trading_class),
            *(order.action, order.quantity, order.order_type),
            *(order.limit or 0.0, order.aux or 0.0, order.tif, "", order.account, "", 0),
            order.ref,
        ]

    def _send_open_order(self, session: Session, order: WireOrder) -> None:
        session.send(
            *(5, order.order_id, *self._order_fields(order), order.client_id, order.perm_id),
            *(0, 0, 0.0, "", f"{order.perm_id}.0/{order.account}/100", "", "", ""),
            # modelCode ... deltaNeutralAuxPrice
            *("", "", "", UNSET_DOUBLE, "", 0, "", -1, 0, UNSET_DOUBLE, UNSET_DOUBLE),
            *(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, 0, 0, 0, 0, UNSET_INTEGER, 3, 0, 0),
            *(UNSET_DOUBLE, order.parent_id, 0, UNSET_DOUBLE, UNSET_INTEGER, "", UNSET_DOUBLE),
            # continuousUpdate ... comboLegsDescrip, no legs, no params, no scale
            *(0, UNSET_INTEGER, UNSET_DOUBLE, UNSET_DOUBLE, "", "", "", 0, 0, 0),
            *(UNSET_INTEGER, UNSET_INTEGER, ""),
            *((order.hedge_type, order.hedge_param) if order.hedge_type else ("",)),
            *(0, "", "", 0, 0, "", 0, 0, order.status),
            *([UNSET_DOUBLE] * 9),
            *(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, "", "", 0, 0, 0),
            *("", UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE),
            *(UNSET_DOUBLE, 0, "", "", "", UNSET_DOUBLE, 0, 0, 0, 0),
            *(UNSET_INTEGER, UNSET_INTEGER, 0),
            *(UNSET_INTEGER, UNSET_INTEGER, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE),
        )

    def _send_completed_order(self, session: Session, order: WireOrder) -> None:
        session.send(
            *(101, *self._order_fields(order), order.perm_id, 0, 0, 0.0, "", "", "", ""),
            # modelCode ... deltaNeutralAuxPrice
            *("", "", "", UNSET_DOUBLE, "", 0, "", -1, UNSET_DOUBLE, UNSET_DOUBLE),
            *(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, 0, 0, 0, UNSET_INTEGER, 3, 0),
            *(UNSET_DOUBLE, UNSET_INTEGER, "", UNSET_DOUBLE),
            *(0, UNSET_INTEGER, UNSET_DOUBLE, UNSET_DOUBLE, "", 0, 0, 0),
            *(UNSET_INTEGER, UNSET_INTEGER, ""),
            *((order.hedge_type, order.hedge_param) if order.hedge_type else ("",)),
            *("", "", 0, 0, "", 0, order.status, 0, 0, 0),
            *(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, 0, 0, "", order.filled, 0, 0),
            *("Not an insider or substantial shareholder", 0, 0, UNSET_LONG),
            *(order.completed_at, order.why),
            *(UNSET_INTEGER, UNSET_INTEGER, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE),
        )

    def _send_execution(self, session: Session, execution: WireExecution, request_id) -> None:
        order, listing = execution.order, execution.order.listing
        session.send(
            *(11, request_id, order.order_id, listing.con_id, listing.symbol, listing.sectype),
            *("", 0.0, "", "", "ISLAND", listing.currency, listing.local_symbol),
            *(listing.trading_class, execution.exec_id, execution.at, order.account, "ISLAND"),
            *("BOT" if order.action == "BUY" else "SLD", execution.shares, execution.price),
            *(order.perm_id, order.client_id, 0, execution.cum_qty, execution.average),
            *(order.ref, "", "", "", 2, 0),
        )

    def _send_commission(self, session: Session, execution: WireExecution) -> None:
        session.send(59, 1, execution.exec_id, execution.commission, "USD", UNSET_DOUBLE, "", "")


def _hedge_of(fields: list[str]) -> tuple[str, str]:
    """The hedge type and parameter of a placeOrder for a plain contract at server version 178:
    fixed positions after the order reference, as the client lays them out."""
    at = 35 + 7 + 24  # "", discretionaryAmt ... faPercentage; modelCode ... deltaNeutralAuxPrice
    if fields[at - 2]:  # deltaNeutralOrderType set: eight more fields
        at += 8
    at += 7  # continuousUpdate ... scalePriceIncrement
    scale = fields[at - 1]
    if scale and 0 < float(scale) < float(UNSET_DOUBLE):
        at += 7
    at += 3  # scaleTable, activeStartTime, activeStopTime
    hedge_type = fields[at]
    return hedge_type, fields[at + 1] if hedge_type else ""


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def _read_message(sock: socket.socket) -> list[str] | None:
    try:
        (size,) = struct.unpack(">I", _read_exact(sock, 4))
        text = _read_exact(sock, size).decode()
    except OSError:
        return None
    return text.split("\0")[:-1]
