"""Reading the signals that changed after a stream cursor, in ``change_seq`` order, never
passing a number whose transaction may still commit.

Numbers are handed out in one order and committed in another: a reader that sees 11 may not yet
see 10, which another worker's transaction holds. Before it moves past a gap, the reader waits
until every transaction that was running when it read the head has ended (PostgreSQL's snapshot
xmin passes the head snapshot's xmax); a number still missing then was rolled back, or belongs
to a signal whose status changed again and which comes later under its new number. SQLite
commits in number order, so its gaps are settled at once.
"""

import logging
import time

from django.db import connection

from .models import Signal

logger = logging.getLogger(__name__)

# A batch of changes read at once; a stream that is behind reads several.
BATCH = 500
# How long a reader waits for the transactions it may depend on. They are short (one webhook,
# one fill); past this, something unrelated holds a transaction open and the reader goes on.
SETTLE_SECONDS = 2.0
_SETTLE_POLL_SECONDS = 0.002


def head() -> int:
    """The newest change number committed so far (0 when there are no signals)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(change_seq), 0) FROM signals_signal")
        return int(cursor.fetchone()[0])


def _head_and_snapshot() -> tuple[int, str | None]:
    if connection.vendor != "postgresql":
        return head(), None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(change_seq), 0), pg_current_snapshot()::text FROM signals_signal"
        )
        newest, snapshot = cursor.fetchone()
        return int(newest), snapshot


def _wait_until_settled(snapshot: str) -> None:
    """Until every transaction running at ``snapshot`` has committed or rolled back."""
    deadline = time.monotonic() + SETTLE_SECONDS
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(%s::pg_snapshot) AS running "
                "WHERE pg_xact_status(running) = 'in progress')",
                [snapshot],
            )
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                logger.warning(
                    "signal stream: a transaction stayed open over %.0f s; reading on",
                    SETTLE_SECONDS,
                )
                return
            time.sleep(_SETTLE_POLL_SECONDS)


def _changed(after: int, up_to: int) -> list[Signal]:
    return list(
        Signal.objects.filter(change_seq__gt=after, change_seq__lte=up_to).order_by("change_seq")[
            :BATCH
        ]
    )


def changes_after(cursor: int, statuses: tuple[str, ...] | None = None) -> tuple[list[Signal], int]:
    """The signals whose latest change is numbered after ``cursor`` (at most a batch), those of
    ``statuses`` only when given, oldest change first; and the cursor to read on from."""
    newest, snapshot = _head_and_snapshot()
    if newest <= cursor:
        return [], cursor
    rows = _changed(cursor, newest)
    numbers = [row.change_seq for row in rows]
    if numbers != list(range(cursor + 1, cursor + 1 + len(numbers))) and snapshot is not None:
        _wait_until_settled(snapshot)
        rows = _changed(cursor, newest)
    reached = rows[-1].change_seq if len(rows) == BATCH else newest
    if statuses is not None:
        rows = [row for row in rows if row.order_status in statuses]
    return rows, reached
