"""The triggers that keep ``signals_slippage_hour`` (the SlippageHour model) equal to the sum
of the signals' slips per instrument, action and UTC hour. A signal counts when it has a slip
and a readable ticker; a change of its slip, time, instrument or action takes it out of its old
hour and into its new one. Inserts without a slip (every alert) do not fire them."""

_KEY = "ticker1, ticker2, ticker_type, hour, order_action"
_WATCHED = ("slip", "timestamp", "ticker1", "ticker2", "ticker_type", "order_action")


def _changed(old: str, new: str, differs: str) -> str:
    return " OR ".join(f"{old}.{c} {differs} {new}.{c}" for c in _WATCHED)


_PG_HOUR = "date_trunc('hour', {row}.timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
_PG_TAKE_OUT = (
    "UPDATE signals_slippage_hour SET slipped = slipped - 1, slip_sum = slip_sum - OLD.slip "
    "WHERE ticker1 = coalesce(OLD.ticker1, '') AND ticker2 = coalesce(OLD.ticker2, '') "
    f"AND ticker_type = OLD.ticker_type AND hour = {_PG_HOUR.format(row='OLD')} "
    "AND order_action = OLD.order_action;"
)
_PG_PUT_IN = (
    f"INSERT INTO signals_slippage_hour ({_KEY}, slipped, slip_sum) "
    "VALUES (coalesce(NEW.ticker1, ''), coalesce(NEW.ticker2, ''), NEW.ticker_type, "
    f"{_PG_HOUR.format(row='NEW')}, NEW.order_action, 1, NEW.slip) "
    f"ON CONFLICT ({_KEY}) DO UPDATE SET slipped = signals_slippage_hour.slipped + 1, "
    "slip_sum = signals_slippage_hour.slip_sum + EXCLUDED.slip_sum;"
)
POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION pairsapi_slippage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.slip IS NOT NULL AND OLD.ticker_type IS NOT NULL THEN
            {_PG_TAKE_OUT}
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.slip IS NOT NULL AND NEW.ticker_type IS NOT NULL THEN
            {_PG_PUT_IN}
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER pairsapi_slippage_added AFTER INSERT ON signals_signal FOR EACH ROW "
    "WHEN (NEW.slip IS NOT NULL) EXECUTE FUNCTION pairsapi_slippage_rollup()",
    f"CREATE TRIGGER pairsapi_slippage_changed AFTER UPDATE OF {', '.join(_WATCHED)} "
    f"ON signals_signal FOR EACH ROW WHEN ({_changed('OLD', 'NEW', 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION pairsapi_slippage_rollup()",
    "CREATE TRIGGER pairsapi_slippage_removed AFTER DELETE ON signals_signal FOR EACH ROW "
    "WHEN (OLD.slip IS NOT NULL) EXECUTE FUNCTION pairsapi_slippage_rollup()",
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS pairsapi_slippage_added ON signals_signal",
    "DROP TRIGGER IF EXISTS pairsapi_slippage_changed ON signals_signal",
    "DROP TRIGGER IF EXISTS pairsapi_slippage_removed ON signals_signal",
    "DROP FUNCTION IF EXISTS pairsapi_slippage_rollup()",
]

# SQLite stores times as text, "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
_SQLITE_HOUR = "strftime('%Y-%m-%d %H:00:00', {row}.timestamp)"
_SQLITE_TAKE_OUT = (
    "UPDATE signals_slippage_hour SET slipped = slipped - 1, slip_sum = slip_sum - OLD.slip "
    "WHERE ticker1 = coalesce(OLD.ticker1, '') AND ticker2 = coalesce(OLD.ticker2, '') "
    f"AND ticker_type = OLD.ticker_type AND hour = {_SQLITE_HOUR.format(row='OLD')} "
    "AND order_action = OLD.order_action;"
)
_SQLITE_PUT_IN = (
    f"INSERT INTO signals_slippage_hour ({_KEY}, slipped, slip_sum) "
    "VALUES (coalesce(NEW.ticker1, ''), coalesce(NEW.ticker2, ''), NEW.ticker_type, "
    f"{_SQLITE_HOUR.format(row='NEW')}, NEW.order_action, 1, NEW.slip) "
    f"ON CONFLICT ({_KEY}) DO UPDATE SET slipped = slipped + 1, "
    "slip_sum = slip_sum + excluded.slip_sum;"
)
_SQLITE_CHANGED = f"AFTER UPDATE OF {', '.join(_WATCHED)} ON signals_signal"
SQLITE_TRIGGERS = [
    "CREATE TRIGGER pairsapi_slippage_added AFTER INSERT ON signals_signal "
    f"WHEN NEW.slip IS NOT NULL AND NEW.ticker_type IS NOT NULL BEGIN {_SQLITE_PUT_IN} END",
    f"CREATE TRIGGER pairsapi_slippage_taken_out {_SQLITE_CHANGED} "
    f"WHEN OLD.slip IS NOT NULL AND OLD.ticker_type IS NOT NULL "
    f"AND ({_changed('OLD', 'NEW', 'IS NOT')}) BEGIN {_SQLITE_TAKE_OUT} END",
    f"CREATE TRIGGER pairsapi_slippage_put_in {_SQLITE_CHANGED} "
    f"WHEN NEW.slip IS NOT NULL AND NEW.ticker_type IS NOT NULL "
    f"AND ({_changed('OLD', 'NEW', 'IS NOT')}) BEGIN {_SQLITE_PUT_IN} END",
    "CREATE TRIGGER pairsapi_slippage_removed AFTER DELETE ON signals_signal "
    f"WHEN OLD.slip IS NOT NULL AND OLD.ticker_type IS NOT NULL BEGIN {_SQLITE_TAKE_OUT} END",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS pairsapi_slippage_added",
    "DROP TRIGGER IF EXISTS pairsapi_slippage_taken_out",
    "DROP TRIGGER IF EXISTS pairsapi_slippage_put_in",
    "DROP TRIGGER IF EXISTS pairsapi_slippage_removed",
]


def backfill(hour_of_old_rows: str) -> str:
    """The roll-up of the signals already stored."""
    hour = hour_of_old_rows.format(row="signals_signal")
    return (
        f"INSERT INTO signals_slippage_hour ({_KEY}, slipped, slip_sum) "
        f"SELECT coalesce(ticker1, ''), coalesce(ticker2, ''), ticker_type, {hour}, "
        "order_action, count(*), sum(slip) FROM signals_signal "
        "WHERE slip IS NOT NULL AND ticker_type IS NOT NULL "
        f"GROUP BY coalesce(ticker1, ''), coalesce(ticker2, ''), ticker_type, {hour}, order_action"
    )


POSTGRESQL_BACKFILL = backfill(_PG_HOUR)
SQLITE_BACKFILL = backfill(_SQLITE_HOUR)
