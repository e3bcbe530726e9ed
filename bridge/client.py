"""The service's v3 API, as the bridge uses it."""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .orders import Quote, signal_time

logger = logging.getLogger("bridge.client")


class ServiceError(Exception):
    """The service answered with an error (4xx/5xx), or could not be reached (``status``
    None)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def refused(self) -> bool:
        """The service answered and said no (4xx): asking again will not help."""
        return self.status is not None and 400 <= self.status < 500


@dataclass
class StreamEvent:
    event_id: int
    signal: dict[str, Any] | None  # None: only the cursor moved (the opening line, heartbeats)


def _lines_as_they_come(response: requests.Response) -> Iterator[str]:
    """The body's lines as soon as each is whole. ``iter_lines`` waits for 512 bytes at a time,
    which on a server that does not chunk its answer (Django's runserver, behind ``make run``)
    holds an event back until later ones push it through."""
    pending = b""
    while True:
        received = response.raw.read1(65536)
        if not received:
            if pending:
                yield pending.decode()
            return
        pending += received
        *whole, pending = pending.split(b"\n")
        for line in whole:
            yield line.removesuffix(b"\r").decode()


class ServiceClient:
    def __init__(self, api: str, passphrase: str, timeout: float = 10.0) -> None:
        self.api = api.rstrip("/")
        self.passphrase = passphrase
        self.timeout = timeout
        self.session = requests.Session()
        # Said on every request, reads included: the service counts only a bridge that says
        # who it is as the bridge being alive.
        self.session.headers["X-Passphrase"] = passphrase

    def _call(self, method: str, path: str, body: dict | None = None, **options: Any) -> Any:
        try:
            answer = self.session.request(
                method,
                f"{self.api}/{path}",
                json=None if body is None else {"passphrase": self.passphrase, **body},
                timeout=options.pop("timeout", self.timeout),
                **options,
            )
        except requests.RequestException as error:
            raise ServiceError(f"{method} {path}: {error}") from error
        if answer.status_code >= 400:
            raise ServiceError(
                f"{method} {path}: {answer.status_code} {answer.text[:300]}", answer.status_code
            )
        return answer.json()

    def waiting(self, wait: int = 0) -> list[dict]:
        """The waiting list; with ``wait``, held until something waits or ``wait`` seconds."""
        query = f"?wait={wait}" if wait else ""
        return self._call("GET", f"signals/status/waiting/0{query}", timeout=wait + 10)["signals"]

    def signal(self, rowid: int) -> dict:
        return self._call("GET", f"signal/{rowid}")

    def ticker(self, symbol: str) -> dict:
        """The ticker's registration: its contract (sectype, exchanges, currency), order type."""
        return self._call("GET", f"ticker/{quote(symbol, safe='')}")

    def newest_price(self, symbol: str) -> Quote | None:
        """The newest price posted to the service for ``symbol`` (``POST /v3/price``)."""
        try:
            answer = self._call("GET", f"price/{quote(symbol, safe='')}")
        except ServiceError as error:
            if error.status == 404:
                return None
            raise
        at = signal_time({"timestamp": answer["time"]}) or 0.0
        return Quote(float(answer["price"]), at, "posted")

    def write_back(self, rowid: int, **fields: Any) -> dict:
        return self._call("PUT", "webhook", {"rowid": rowid, **fields})

    def report_fill(self, *, order_id: int, symbol: str, price: float, filled_qty: float) -> dict:
        return self._call(
            "PUT",
            "signal/updateorder",
            {"order_id": order_id, "symbol": symbol, "price": price, "filled_qty": filled_qty},
        )

    def report_position(self, *, symbol: str, position: float, pnl: float, cost: float) -> dict:
        return self._call(
            "PUT",
            "ticker/updatepnl",
            {"symbol": symbol, "active_pos": position, "active_pnl": pnl, "active_cost": cost},
        )

    def report_account(self, figures: dict[str, float]) -> dict:
        return self._call("POST", "regpnl", figures)

    def stream(self, last_event_id: int | None, status: str = "waiting") -> Iterator[StreamEvent]:
        """The signal stream's events; ends when the connection does (the caller reconnects)."""
        headers = {"X-Passphrase": self.passphrase, "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        try:
            response = self.session.get(
                f"{self.api}/signals/stream?status={status}",
                headers=headers,
                stream=True,
                timeout=(self.timeout, 60),  # heartbeats come every 15 s
            )
        except requests.RequestException as error:
            raise ServiceError(f"stream: {error}") from error
        if response.status_code != 200:
            raise ServiceError(
                f"stream: {response.status_code} {response.text[:300]}", response.status_code
            )
        fields: dict[str, str] = {}
        try:
            for line in _lines_as_they_come(response):
                if line == "":
                    if fields.get("event") == "signal":
                        yield StreamEvent(int(fields["id"]), json.loads(fields["data"]))
                    elif "id" in fields:
                        yield StreamEvent(int(fields["id"]), None)
                    fields = {}
                elif line.startswith(": heartbeat"):
                    fields["heartbeat"] = ""
                elif not line.startswith(":") and ":" in line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
        except requests.RequestException as error:
            raise ServiceError(f"stream: {error}") from error
        finally:
            response.close()
