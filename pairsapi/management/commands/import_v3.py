from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.importer import import_v3_users
from instruments.importer import import_v3_pairs, import_v3_tickers
from pairsapi.v3source import NotAV3Database, V3Source
from pnl.importer import import_v3_snapshots
from signals.importer import import_v3_signals

STEPS = (
    ("tickers", "tickers", import_v3_tickers),
    ("pairs", "pairs", import_v3_pairs),
    ("signals", "signals", import_v3_signals),
    ("account snapshots", "account", import_v3_snapshots),
    ("users", "users", import_v3_users),
)


class Command(BaseCommand):
    help = (
        "Import the history of an original pairs-api v3 database (its SQLite file, or a "
        "PostgreSQL URL): tickers, pairs, signals, account snapshots and users. Rowids and "
        "timestamps are kept, plain-text passwords are hashed, and running it again updates "
        "instead of duplicating. All or nothing: one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="path of the v3 SQLite file, or postgres://… URL")

    def handle(self, source, **options):
        try:
            v3 = V3Source(source)
        except NotAV3Database as problem:
            raise CommandError(str(problem)) from None
        try:
            with transaction.atomic():
                for label, table, import_rows in STEPS:
                    counts = import_rows(v3.rows(table))
                    summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()) if n)
                    self.stdout.write(f"{label}: {summary or 'none'}")
        finally:
            v3.close()
        self.stdout.write(self.style.SUCCESS(f"imported {source}"))
