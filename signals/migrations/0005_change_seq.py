from django.db import migrations, models

from signals import changes_sql


def install(apps, schema_editor):
    statements = {
        "postgresql": changes_sql.POSTGRESQL_INSTALL,
        "sqlite": changes_sql.SQLITE_INSTALL,
    }[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    statements = {
        "postgresql": changes_sql.POSTGRESQL_REMOVE,
        "sqlite": changes_sql.SQLITE_REMOVE,
    }[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("signals", "0004_missed_alert_and_created_by")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(install, remove)],
            state_operations=[
                migrations.AddField(
                    model_name="signal",
                    name="change_seq",
                    field=models.BigIntegerField(db_default=0, editable=False),
                )
            ],
        )
    ]
