import sqlite3

from django.apps import AppConfig
from django.core import checks
from django.db import connection

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


class SignalsConfig(AppConfig):
    name = "signals"
    label = "signals"
    verbose_name = "Signals"

    def ready(self):
        checks.register(sqlite_can_return_rows)
