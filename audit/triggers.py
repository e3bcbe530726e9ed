"""The triggers that write the audit trail, for PostgreSQL and SQLite.

A trigger sees every write, including bulk updates from the admin's actions and the webhook's
plain-SQL insert, and writes its row inside the same statement: no extra round trip on the hot
path and no way to change a row without a trace. Who acts comes from ``pairsapi.actors``.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from pairsapi.actors import current_actor

from .models import AuditChange


@dataclass(frozen=True)
class Audited:
    model: str  # app_label.ModelName
    label: str  # how the trail names it
    skipped: tuple[str, ...] = ()  # columns whose changes are not worth a row
    hidden: tuple[str, ...] = ()  # columns recorded as changed, never with their values
    # False where the row records its own creator: a signal's ``created_by``, so that an alert,
    # the webhook's hot path, costs one row written and not two.
    creates: bool = True


AUDITED = (
    # change_seq is the stream's cursor, renumbered with every status change: not news itself.
    Audited("signals.Signal", "signal", skipped=("change_seq",), creates=False),
    # The unrealized PnL moves with the market on every position report; it is not a decision.
    Audited("instruments.Ticker", "ticker", skipped=("active_pnl",)),
    Audited("instruments.Pair", "pair"),
    Audited("auth.User", "user", skipped=("last_login",), hidden=("password",)),
)
TRIGGER = "pairsapi_audit"
_ACTIONS = {"INSERT": "create", "UPDATE": "update", "DELETE": "delete"}


def _tables():
    for audited in AUDITED:
        model = apps.get_model(audited.model)
        yield audited, model._meta.db_table, model._meta.pk.column, model._meta.concrete_fields


# --- PostgreSQL: one function per table, its key column written in: a create (the webhook's
# hot path) then costs one row built from two values, no conversion of the whole row.


def _pg_function(audited, pk):
    skipped = "ARRAY[" + ", ".join(f"'{c}'" for c in audited.skipped) + "]::text[]"
    hidden = "ARRAY[" + ", ".join(f"'{c}'" for c in audited.hidden) + "]::text[]"
    table = AuditChange._meta.db_table
    return f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_{audited.label}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before jsonb;
    after jsonb;
    changes jsonb := '{{}}';
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT coalesce(jsonb_object_agg(key, CASE WHEN key = ANY({hidden})
                    THEN '["(hidden)", null]'::jsonb ELSE jsonb_build_array(value, null) END),
                '{{}}')
            INTO changes FROM jsonb_each(to_jsonb(OLD) - {skipped});
    ELSIF TG_OP = 'UPDATE' THEN
        before := to_jsonb(OLD) - {skipped};
        after := to_jsonb(NEW) - {skipped};
        SELECT jsonb_object_agg(key, CASE WHEN key = ANY({hidden})
                    THEN '["(hidden)", "(changed)"]'::jsonb
                    ELSE jsonb_build_array(before -> key, value) END)
            INTO changes FROM jsonb_each(after) WHERE value IS DISTINCT FROM before -> key;
        IF changes IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO {table} (at, model, object_key, action, actor, changes)
    VALUES (now(), '{audited.label}',
            CASE TG_OP WHEN 'DELETE' THEN OLD."{pk}" ELSE NEW."{pk}" END,
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            coalesce(nullif(current_setting('pairsapi.actor', true), ''), 'service'),
            changes);
    RETURN NULL;
END
$$
"""


def _pg_install(cursor, existing):
    for audited, table, pk, _ in _tables():
        if table not in existing:
            continue
        cursor.execute(_pg_function(audited, pk))
        events = "INSERT OR UPDATE OR DELETE" if audited.creates else "UPDATE OR DELETE"
        cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
        cursor.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER {events} ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_{audited.label}()"
        )


def _pg_uninstall(cursor, existing):
    for _, table, _, _ in _tables():
        if table in existing:
            cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')


# --- SQLite: three triggers per table, their column lists written out from the model.

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _sqlite_triggers(audited, table, pk, fields):
    columns = [field.column for field in fields if field.column not in audited.skipped]
    insert = (
        f"INSERT INTO {AuditChange._meta.db_table} (at, model, object_key, action, actor, changes)"
    )

    def values(column, after_row):
        """The JSON [before, after] of one column; after_row is NEW, or None for a delete."""
        if column in audited.hidden:
            return "json_array('(hidden)', " + ("'(changed)')" if after_row else "NULL)")
        after = f'{after_row}."{column}"' if after_row else "NULL"
        return f'json_array(OLD."{column}", {after})'

    differs = [f'OLD."{c}" IS NOT NEW."{c}"' for c in columns]
    # Re-read through json() below: a value coming out of a subquery loses its JSON type.
    changed = " UNION ALL ".join(
        f"SELECT '{c}' AS k, {values(c, 'NEW')} AS v WHERE {differ}"
        for c, differ in zip(columns, differs, strict=True)
    )
    last_values = ", ".join(f"'{c}', {values(c, None)}" for c in columns)
    name = f"{TRIGGER}_{table}"
    triggers = {
        f"{name}_update": (
            f'AFTER UPDATE ON "{table}" WHEN {" OR ".join(differs)} BEGIN {insert} '
            f"SELECT {_SQLITE_NOW}, '{audited.label}', NEW.\"{pk}\", 'update', pairsapi_actor(), "
            f"json_group_object(k, json(v)) FROM ({changed}); END"
        ),
        f"{name}_delete": (
            f'AFTER DELETE ON "{table}" BEGIN {insert} VALUES ({_SQLITE_NOW}, '
            f"'{audited.label}', OLD.\"{pk}\", 'delete', pairsapi_actor(), "
            f"json_object({last_values})); END"
        ),
    }
    if audited.creates:
        triggers[f"{name}_insert"] = (
            f'AFTER INSERT ON "{table}" BEGIN {insert} VALUES ({_SQLITE_NOW}, '
            f"'{audited.label}', NEW.\"{pk}\", 'create', pairsapi_actor(), '{{}}'); END"
        )
    return triggers


def _sqlite_install(cursor, existing):
    for audited, table, pk, fields in _tables():
        if table not in existing:
            continue
        for name, body in _sqlite_triggers(audited, table, pk, fields).items():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(f'CREATE TRIGGER "{name}" {body}')


def _sqlite_uninstall(cursor, existing):
    for _, table, _, _ in _tables():
        for event in ("insert", "update", "delete"):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TRIGGER}_{table}_{event}"')


_VENDORS = {
    "postgresql": (_pg_install, _pg_uninstall),
    "sqlite": (_sqlite_install, _sqlite_uninstall),
}


def install(using: str = "default") -> None:
    """Put the audit triggers on every audited table that exists (idempotent)."""
    connection = connections[using]
    install_on, _ = _VENDORS[connection.vendor]
    with connection.cursor() as cursor:
        install_on(cursor, set(connection.introspection.table_names(cursor)))


def uninstall(using: str = "default") -> None:
    """Take the audit triggers off (before migrating; the bench's "auditing off" runs)."""
    connection = connections[using]
    _, uninstall_from = _VENDORS[connection.vendor]
    with connection.cursor() as cursor:
        uninstall_from(cursor, set(connection.introspection.table_names(cursor)))


def on_pre_migrate(sender, using="default", **kwargs):
    uninstall(using)


def on_post_migrate(sender, using="default", **kwargs):
    if AuditChange._meta.db_table in connections[using].introspection.table_names():
        install(using)


# --- Who acts, handed to the triggers.

_WRITES = ("INSERT", "UPDATE", "DELETE")
_SET_ACTOR = "SELECT set_config('pairsapi.actor', %s, false)"


def _actor_before_writes(execute, sql, params, many, context):
    """PostgreSQL: set ``pairsapi.actor`` in front of each write, in the same round trip
    (psycopg2 sends both statements at once and answers with the second's result)."""
    if sql[:40].lstrip()[:6].upper() not in _WRITES:
        return execute(sql, params, many, context)
    if many or not isinstance(params, list | tuple):
        execute(_SET_ACTOR, (current_actor(),), False, context)
        return execute(sql, params, many, context)
    return execute(f"{_SET_ACTOR}; {sql}", (current_actor(), *params), many, context)


def name_the_actor_on(sender, connection: BaseDatabaseWrapper, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("pairsapi_actor", 0, current_actor)
    elif (
        connection.vendor == "postgresql"
        and _actor_before_writes not in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(_actor_before_writes)
