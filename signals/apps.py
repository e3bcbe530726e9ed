import sqlite3

from django.apps import AppConfig
from django.core import checks
from django.db import connection
from django.db.models.signals import post_migrate

# The webhook's INSERT … RETURNING (signals.inserts) needs SQLite 3.35 or newer.
SQLITE_MINIMUM = (3, 35)


def sqlite_can_return_rows(app_configs=None, **kwargs):
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < SQLITE_MINIMUM:
        return [
            checks.Error(
                f"SQLite {sqlite3.sqlite_version} is too old: the webhook needs SQLite "
                f"{'.'.join(map(str, SQLITE_MINIMUM))} or newer (INSERT … RETURNING).",
                id="signals.E001",
            )
        ]
    return []


def keep_change_triggers(sender, using="default", **kwargs):
    """SQLite rebuilds a table to alter it, and its triggers go with the old one: after every
    migrate, the stream's numbering triggers and the slippage roll-up's are put back where
    missing (PostgreSQL alters in place and keeps them)."""
    from django.db import connections

    from . import slippage_sql
    from .changes_sql import SQLITE_TRIGGERS

    target = connections[using]
    if target.vendor != "sqlite":
        return
    with target.cursor() as cursor:
        columns = [
            c.name for c in target.introspection.get_table_description(cursor, "signals_signal")
        ]
        if "change_seq" not in columns:
            return
        tables = target.introspection.table_names(cursor)
        triggers = list(SQLITE_TRIGGERS)
        if "signals_slippage_hour" in tables:
            triggers += slippage_sql.SQLITE_TRIGGERS
        for statement in triggers:
            cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))


class SignalsConfig(AppConfig):
    name = "signals"
    label = "signals"
    verbose_name = "Signals"

    def ready(self):
        checks.register(sqlite_can_return_rows)
        post_migrate.connect(keep_change_triggers, sender=self, dispatch_uid="signal_triggers")
