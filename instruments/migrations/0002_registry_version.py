"""The registry version row and the triggers that change it.

A change sets a fresh random version rather than adding one: a rolled-back change then cannot
bring back a version that some worker already saw with different contents.
"""

from django.db import migrations, models

# Columns whose change alters a signal's check: a ticker's symbol, kind and activity, a pair's
# name, legs, hedge and status. Positions and PNL (written often by the bridge) are not among them.
WATCHED = {
    "instruments_ticker": ("symbol", "sectype", "active"),
    "instruments_pair": ("name", "ticker1", "ticker2", "hedge", "status"),
}

POSTGRESQL_FUNCTION = """
CREATE FUNCTION instruments_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE instruments_registryversion
    SET version = floor(random() * 9007199254740991)::bigint WHERE id = 1;
    RETURN NULL;
END $$
"""
SQLITE_BUMP = "UPDATE instruments_registryversion SET version = random() WHERE id = 1;"


def _changed(columns, is_distinct):
    return " OR ".join(is_distinct.format(column=column) for column in columns)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements.append(POSTGRESQL_FUNCTION)
        for table, columns in WATCHED.items():
            when = _changed(columns, "OLD.{column} IS DISTINCT FROM NEW.{column}")
            statements += [
                f"CREATE TRIGGER {table}_added_or_removed AFTER INSERT OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION instruments_registry_changed()",
                f"CREATE TRIGGER {table}_changed AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({when}) EXECUTE FUNCTION instruments_registry_changed()",
            ]
    elif vendor == "sqlite":
        for table, columns in WATCHED.items():
            when = _changed(columns, "OLD.{column} IS NOT NEW.{column}")
            statements += [
                f"CREATE TRIGGER {table}_added AFTER INSERT ON {table} BEGIN {SQLITE_BUMP} END",
                f"CREATE TRIGGER {table}_removed AFTER DELETE ON {table} BEGIN {SQLITE_BUMP} END",
                f"CREATE TRIGGER {table}_changed AFTER UPDATE ON {table} WHEN {when} "
                f"BEGIN {SQLITE_BUMP} END",
            ]
    else:
        raise RuntimeError(f"the registry version triggers exist for PostgreSQL and SQLite, not {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    apps.get_model("instruments", "RegistryVersion").objects.create(id=1, version=1)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        if vendor == "postgresql":
            for suffix in ("added_or_removed", "changed"):
                schema_editor.execute(f"DROP TRIGGER {table}_{suffix} ON {table}")
        else:
            for suffix in ("added", "removed", "changed"):
                schema_editor.execute(f"DROP TRIGGER {table}_{suffix}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION instruments_registry_changed()")


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="RegistryVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
