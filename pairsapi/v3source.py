"""Reading a database of the original pairs-api v3 service (SQLite file or PostgreSQL URL).

Each app imports its own tables (``import_v3_*`` in its ``importer`` module); this module only
opens the source, checks it is a v3 database and turns its loosely typed values into clean ones.
"""

import math
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

V3_TABLES = ("tickers", "pairs", "signals", "account", "users")
# Columns without which a table is not the v3 table of that name.
REQUIRED_COLUMNS = {
    "tickers": {"symbol"},
    "pairs": {"name", "hedge"},
    "signals": {"rowid", "ticker", "order_action", "order_contracts"},
    "account": {"rowid", "timestamp"},
    "users": {"username", "password"},
}
# Older v3 releases named some signal columns differently.
COLUMN_ALIASES = {
    "stk_ticker1": "ticker1",
    "stk_ticker2": "ticker2",
    "stk_price1": "price1",
    "stk_price2": "price2",
}


class NotAV3Database(Exception):
    pass


class Row(dict):
    """A source row. Column names compare case-insensitively: PostgreSQL folds unquoted names
    to lower case, so ``NetLiquidation`` may arrive as ``netliquidation``."""

    def get(self, key, default=None):
        return super().get(key.lower(), default)


class V3Source:
    """Rows of a v3 database as dicts, with the column aliases resolved."""

    def __init__(self, location):
        self.location = location
        self.connection, self.kind = self._connect(location)
        self.columns = {table: self._columns(table) for table in V3_TABLES}
        self._check_shape()

    @staticmethod
    def _connect(location):
        if location.startswith(("postgres://", "postgresql://")):
            import psycopg2

            try:
                return psycopg2.connect(location), "postgresql"
            except psycopg2.Error as error:
                raise NotAV3Database(f"cannot connect to {location}: {error}") from None
        path = Path(location)
        if not path.is_file():
            raise NotAV3Database(f"{location} is not a file")
        with path.open("rb") as file:
            if file.read(16) != b"SQLite format 3\x00":
                raise NotAV3Database(f"{location} is not an SQLite database")
        connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        return connection, "sqlite"

    def _columns(self, table):
        cursor = self.connection.cursor()
        if self.kind == "sqlite":
            cursor.execute(f'PRAGMA table_info("{table}")')
            names = [row[1] for row in cursor.fetchall()]
        else:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = current_schema()",
                [table],
            )
            names = [row[0] for row in cursor.fetchall()]
        return {COLUMN_ALIASES.get(name.lower(), name.lower()) for name in names}

    def _check_shape(self):
        missing = [t for t in V3_TABLES if not self.columns[t]]
        if missing:
            raise NotAV3Database(
                f"{self.location} is not a pairs-api v3 database: no table(s) {', '.join(missing)}"
            )
        for table, required in REQUIRED_COLUMNS.items():
            lacking = required - self.columns[table]
            if lacking:
                raise NotAV3Database(
                    f"{self.location} is not a pairs-api v3 database: table {table} has no "
                    f"column(s) {', '.join(sorted(lacking))}"
                )

    def rows(self, table):
        cursor = self.connection.cursor()
        # rowid is implicit in SQLite tables and explicit in the v3 models; order by it when there.
        order = " ORDER BY rowid" if "rowid" in self.columns[table] else ""
        cursor.execute(f'SELECT * FROM "{table}"{order}')
        names = [COLUMN_ALIASES.get(d[0].lower(), d[0].lower()) for d in cursor.description]
        for values in cursor:
            yield Row(zip(names, values, strict=True))

    def close(self):
        self.connection.close()


def as_text(value, max_length=None):
    if value is None:
        return None
    text = str(value)
    return text[:max_length] if max_length else text


def as_float(value):
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def as_int(value):
    number = as_float(value)
    return None if number is None else round(number)


def as_flag(value):
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "t", "yes"}
    return bool(value)


def as_timestamp(value):
    """v3 stored naive UTC times, as text in SQLite; whole seconds here, as this service keeps."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def reset_sequences(*models):
    """After rows were inserted with explicit ids, new rows must be numbered after them."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def upsert_by_id(model, instances, fields, counts):
    """Insert the instances whose ids are new and update the others (a re-run duplicates
    nothing)."""
    ids = [instance.pk for instance in instances]
    existing = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    new = [instance for instance in instances if instance.pk not in existing]
    old = [instance for instance in instances if instance.pk in existing]
    model.objects.bulk_create(new)
    if old:
        model.objects.bulk_update(old, fields)
    counts["created"] += len(new)
    counts["updated"] += len(old)


def batched(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
