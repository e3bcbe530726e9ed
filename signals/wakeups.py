"""What wakes a waiting stream or long poll when signals change.

PostgreSQL: one thread per worker process LISTENs on the channel the signals table's trigger
NOTIFYs at each commit, on a connection of its own, and wakes every waiter of its process; the
NOTIFY comes from whichever app host made the change. SQLite (development): waiters look again
every POLL_SECONDS.
"""

import logging
import select
import threading
import time

from django.db import connection, connections

from .changes_sql import CHANNEL

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
_KEEPALIVE_SECONDS = 30.0
# After each notification, waiters are woken again this long after it: a transaction that
# committed beside the notifying one did not notify itself (see signals.changes_sql). The last
# looks cover a commit held up by a loaded machine; past them, the next heartbeat finds it.
_TAIL_SECONDS = (0.005, 0.015, 0.04, 0.1, 0.25, 1.0, 2.5, 5.0)
_RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


class ChangeBell:
    """Rings (advances ``rung``) whenever signals may have changed."""

    def __init__(self) -> None:
        self.rung = 0
        self._condition = threading.Condition()
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connection = None

    def ring(self) -> None:
        with self._condition:
            self.rung += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        """Return once rung past ``seen``, or after ``timeout`` seconds."""
        if connection.vendor != "postgresql":
            time.sleep(min(timeout, POLL_SECONDS))
            return
        self._start_listener()
        with self._condition:
            self._condition.wait_for(lambda: self.rung != seen, timeout)

    def _start_listener(self) -> None:
        with self._condition:
            if self._listener is None or not self._listener.is_alive():
                params = connections["default"].get_connection_params()
                self._listener = threading.Thread(
                    target=self._listen, args=(params,), name="signal-listener", daemon=True
                )
                self._listener.start()

    def _listen(self, params: dict) -> None:
        import psycopg2

        failures = 0
        while not self._stopping.is_set():
            try:
                listener = self._connection = psycopg2.connect(**params)
                listener.autocommit = True
                with listener.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                failures = 0
                self.ring()  # whatever changed while not listening is read now
                self._wake_on(listener)
            except Exception as error:  # the database went away: listen again when it is back
                if self._stopping.is_set():
                    return
                pause = _RECONNECT_SECONDS[min(failures, len(_RECONNECT_SECONDS) - 1)]
                failures += 1
                logger.warning("signal listener: %s; again in %.1f s", error, pause)
                self.ring()  # waiters read the database themselves meanwhile
                time.sleep(pause)

    def _wake_on(self, listener) -> None:
        """Ring at each notification and at the tail times after it; check the connection
        when all is quiet."""
        tails: list[float] = []
        while True:
            now = time.monotonic()
            if tails and tails[0] <= now:
                tails = [t for t in tails if t > now]
                self.ring()
            timeout = tails[0] - now if tails else _KEEPALIVE_SECONDS
            if select.select([listener], [], [], max(timeout, 0)) == ([], [], []):
                if not tails:
                    with listener.cursor() as cursor:
                        cursor.execute("SELECT 1")  # a dead connection shows here
                continue
            listener.poll()
            if listener.notifies:
                listener.notifies.clear()
                self.ring()
                # Second looks always: a stream busy sending when the notification came is
                # not waiting, yet must still see a commit beside the notifying one. A ring
                # nobody waits for costs nothing.
                now = time.monotonic()
                tails = [now + delay for delay in _TAIL_SECONDS]

    def stop_listening(self) -> None:
        """End this process's listener and its connection (the tests, before dropping their
        database)."""
        self._stopping.set()
        if self._connection is not None:
            self._connection.close()
        if self._listener is not None:
            self._listener.join(timeout=5)


bell = ChangeBell()
