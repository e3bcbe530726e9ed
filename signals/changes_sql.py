"""The database side of the signal stream's cursor, ``change_seq``: a number every signal gets
when stored and again each time its status changes, always larger than any given before.

PostgreSQL: a sequence, taken after the transaction has its id (so that a reader can tell when
every number below one it sees is settled, see ``signals.changes``), and a NOTIFY on
``pairsapi_signals`` at commit from statements that write signals, one notifying transaction
at a time (see the trigger): the wake-up of every stream on every app host. SQLite: one writer
at a time, so numbers come from a counter row updated under the write lock, in commit order;
streams poll.
"""

CHANNEL = "pairsapi_signals"
# The advisory lock whose holder announces its commit (any number no one else uses).
NOTIFY_LOCK = 7_311_300_001

POSTGRESQL_INSTALL = [
    "CREATE SEQUENCE IF NOT EXISTS signals_signal_change_seq",
    # pg_current_xact_id() first: the number must not be handed out before the transaction
    # that takes it is visible to readers as running.
    """
    CREATE OR REPLACE FUNCTION pairsapi_next_change() RETURNS bigint LANGUAGE sql VOLATILE AS $$
        SELECT CASE WHEN pg_current_xact_id() IS NOT NULL
               THEN nextval('signals_signal_change_seq') END
    $$
    """,
    "ALTER TABLE signals_signal ADD COLUMN change_seq bigint NOT NULL "
    "DEFAULT pairsapi_next_change()",
    "CREATE INDEX signal_change_seq_idx ON signals_signal (change_seq)",
    """
    CREATE OR REPLACE FUNCTION pairsapi_signal_status_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.order_status IS DISTINCT FROM OLD.order_status THEN
            NEW.change_seq := pairsapi_next_change();
        ELSE  -- a save of a stale copy cannot move the cursor back
            NEW.change_seq := OLD.change_seq;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER pairsapi_signal_status_changed BEFORE UPDATE ON signals_signal "
    "FOR EACH ROW EXECUTE FUNCTION pairsapi_signal_status_changed()",
    # NOTIFY makes PostgreSQL commit notifying transactions one at a time, which at full load
    # cost the webhook a fifth of its throughput. So only one transaction in flight at a time
    # notifies (the holder of a transaction-scoped advisory lock); one that finds it taken
    # commits beside it, and the listeners read again shortly after each notification
    # (signals.wakeups) to see it. Nothing is lost either way: readers follow change_seq.
    f"""
    CREATE OR REPLACE FUNCTION pairsapi_signals_written() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF pg_try_advisory_xact_lock({NOTIFY_LOCK}) THEN
            PERFORM pg_notify('{CHANNEL}', '');
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER pairsapi_signals_written AFTER INSERT OR UPDATE ON signals_signal "
    "FOR EACH STATEMENT EXECUTE FUNCTION pairsapi_signals_written()",
]

POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS pairsapi_signals_written ON signals_signal",
    "DROP TRIGGER IF EXISTS pairsapi_signal_status_changed ON signals_signal",
    "ALTER TABLE signals_signal DROP COLUMN IF EXISTS change_seq",
    "DROP FUNCTION IF EXISTS pairsapi_signals_written()",
    "DROP FUNCTION IF EXISTS pairsapi_signal_status_changed()",
    "DROP FUNCTION IF EXISTS pairsapi_next_change()",
    "DROP SEQUENCE IF EXISTS signals_signal_change_seq",
]

# A one-row counter, not max(change_seq) + 1: a number is never handed out twice, even after
# the signal holding the largest is deleted.
_SQLITE_TAKE = (
    "UPDATE signals_change_counter SET last = last + 1; "
    "UPDATE signals_signal SET change_seq = (SELECT last FROM signals_change_counter) "
    "WHERE rowid = NEW.rowid;"
)

SQLITE_INSTALL = [
    "CREATE TABLE signals_change_counter (last integer NOT NULL)",
    "INSERT INTO signals_change_counter (last) SELECT coalesce(max(rowid), 0) FROM signals_signal",
    "ALTER TABLE signals_signal ADD COLUMN change_seq integer NOT NULL DEFAULT 0",
    "UPDATE signals_signal SET change_seq = rowid",
    "CREATE INDEX signal_change_seq_idx ON signals_signal (change_seq)",
    "CREATE TRIGGER pairsapi_signal_stored AFTER INSERT ON signals_signal "
    f"BEGIN {_SQLITE_TAKE} END",
    "CREATE TRIGGER pairsapi_signal_status_changed AFTER UPDATE ON signals_signal "
    f"WHEN OLD.order_status IS NOT NEW.order_status BEGIN {_SQLITE_TAKE} END",
    # A save of a stale copy cannot move the cursor back (the numbering above only raises it).
    "CREATE TRIGGER pairsapi_signal_cursor_kept AFTER UPDATE ON signals_signal "
    "WHEN OLD.order_status IS NEW.order_status AND NEW.change_seq < OLD.change_seq BEGIN "
    "UPDATE signals_signal SET change_seq = OLD.change_seq WHERE rowid = NEW.rowid; END",
]

SQLITE_TRIGGERS = [
    statement for statement in SQLITE_INSTALL if statement.startswith("CREATE TRIGGER")
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS pairsapi_signal_stored",
    "DROP TRIGGER IF EXISTS pairsapi_signal_status_changed",
    "DROP TRIGGER IF EXISTS pairsapi_signal_cursor_kept",
    "DROP INDEX IF EXISTS signal_change_seq_idx",
    "ALTER TABLE signals_signal DROP COLUMN change_seq",
    "DROP TABLE IF EXISTS signals_change_counter",
]
