"""PostgreSQL statistics on how a signal's ticker columns go together: a single's ticker2 is
always null and its kind always "single", which the planner, taking the columns as independent,
counted a few times over. With these it estimates a busy ticker's signals rightly and reads its
newest ones through the ticker index instead of sorting them all."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS signal_ticker_stats (dependencies, mcv) "
            "ON ticker1, ticker2, ticker_type FROM signals_signal"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS signal_ticker_stats")


class Migration(migrations.Migration):
    dependencies = [("signals", "0007_filled_at")]

    operations = [migrations.RunPython(create, drop)]
