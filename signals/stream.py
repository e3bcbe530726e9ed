"""The signal stream (Server-Sent Events) and the waiting list's long poll: requests held open
until signals change, each holding a worker thread, so a worker holds at most
HELD_REQUESTS_PER_WORKER of them at once, shared out by who holds them (HeldRequests)."""

import json
import threading
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import StreamingHttpResponse

from .changes import changes_after, head
from .models import Signal
from .wakeups import bell


class TooManyHeld(Exception):
    pass


BRIDGE = "bridge"  # the holder a passphrase (the broker bridge's credential) stands for


class HeldRequests:
    """How many requests this worker process holds open, and for whom. Each holder has a
    budget: the bridge (the passphrase) keeps HELD_FOR_BRIDGE places nobody else may take, and
    each user (a token's, a console page's) holds at most HELD_PER_USER, so no user and no
    number of tabs can take the bridge's place or everyone else's."""

    def __init__(self) -> None:
        self.count = 0
        self.by_holder: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, holder: str = BRIDGE) -> None:
        """Take a place for ``holder``, or raise TooManyHeld; give it back with ``release``."""
        most = settings.HELD_REQUESTS_PER_WORKER
        with self._lock:
            mine = self.by_holder.get(holder, 0)
            others = self.count - self.by_holder.get(BRIDGE, 0)
            if self.count >= most:
                raise TooManyHeld()
            if holder != BRIDGE and (
                mine >= settings.HELD_PER_USER or others >= most - settings.HELD_FOR_BRIDGE
            ):
                raise TooManyHeld()
            self.count += 1
            self.by_holder[holder] = mine + 1

    def release(self, holder: str = BRIDGE) -> None:
        with self._lock:
            self.count -= 1
            left = self.by_holder.get(holder, 1) - 1
            if left:
                self.by_holder[holder] = left
            else:
                self.by_holder.pop(holder, None)


held = HeldRequests()
# Set when the worker is stopping: held requests end so that the stop does not wait for them.
closing = threading.Event()


def close_all_streams() -> None:
    closing.set()
    bell.ring()


def event(signal: Signal, as_json: Callable[[Signal], dict]) -> str:
    data = json.dumps(as_json(signal), separators=(",", ":"))
    return f"id: {signal.change_seq}\nevent: signal\ndata: {data}\n\n"


def signal_events(
    *,
    cursor: int | None,
    statuses: tuple[str, ...] | None,
    as_json: Callable[[Signal], dict],
    on_heartbeat: Callable[[], None] = lambda: None,
    still_allowed: Callable[[], bool] = lambda: True,
) -> Iterator[str]:
    """The stream's text: what changed after ``cursor`` (from now when None), then each change
    as it commits; a comment every STREAM_HEARTBEAT_SECONDS so that proxies keep it open. The
    reader's credential is checked again before each change sent and at each heartbeat: a
    token revoked or a password changed ends the stream."""
    if cursor is None:
        cursor = head()
    yield f"retry: 2000\nid: {cursor}\n: streaming signal changes\n\n"
    quiet_since = time.monotonic()
    while not closing.is_set():
        rung = bell.rung
        signals, reached = changes_after(cursor, statuses)
        due = time.monotonic() - quiet_since >= settings.STREAM_HEARTBEAT_SECONDS
        if (signals or due) and not still_allowed():
            yield ": credential revoked\n\n"
            return
        if signals:
            yield "".join(event(signal, as_json) for signal in signals)
            quiet_since = time.monotonic()
        last_sent = signals[-1].change_seq if signals else cursor
        cursor = reached
        if reached > last_sent:
            # Changes the filter left out: a client that reconnects need not read them again.
            yield f"id: {cursor}\n\n"
        waited = time.monotonic() - quiet_since
        if waited >= settings.STREAM_HEARTBEAT_SECONDS:
            on_heartbeat()
            yield f": heartbeat\nid: {cursor}\n\n"
            quiet_since = time.monotonic()
            continue
        bell.wait(rung, settings.STREAM_HEARTBEAT_SECONDS - waited)


class HeldStream:
    """The stream's iterator, giving the held place back when the server closes the response,
    whether or not the stream ever started."""

    def __init__(self, events: Iterator[str], holder: str) -> None:
        self.events = events
        self.holder = holder
        self._released = False

    def __iter__(self) -> "HeldStream":
        return self

    def __next__(self) -> str:
        return next(self.events)

    def close(self) -> None:
        self.events.close()  # type: ignore[attr-defined]
        if not self._released:
            self._released = True
            held.release(self.holder)


def event_stream(events: Iterator[str], holder: str) -> StreamingHttpResponse:
    """The answer that streams ``events`` (the API's stream and the pages' own), giving
    ``holder``'s held place back when it closes."""
    response = StreamingHttpResponse(
        HeldStream(events, holder), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def wait_for_change(seconds: float, found: Callable[[], bool]) -> None:
    """Hold until ``found()`` or ``seconds`` have passed (the long poll)."""
    deadline = time.monotonic() + seconds
    while not closing.is_set():
        rung = bell.rung
        if found():
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        bell.wait(rung, remaining)
