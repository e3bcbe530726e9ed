"""The webhook's one write: a signal row, stored only if the registry it was checked against is
still current.

Plain SQL rather than ``Model.save``: the statement needs a condition an ORM insert cannot carry,
and it is built once per database vendor instead of compiled on every alert.
"""

from functools import cache

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

from instruments.models import RegistryVersion
from instruments.registry import REGISTRY_VERSION_ID

from .models import RiskSettings, Signal

# The key and the columns only the database fills (``change_seq``) are left to the database.
_FIELDS = [
    field
    for field in Signal._meta.concrete_fields
    if not field.primary_key and (field.has_default() or field.db_default is NOT_PROVIDED)
]
# Values of these exact types go to the driver as they are, as Django's conversion would leave
# them; anything else (a timestamp, an int in a float column) takes the field's conversion.
_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.BigIntegerField: int,
    models.FloatField: float,
}
_COLUMNS = [(field, field.attname, _AS_IS.get(type(field))) for field in _FIELDS]


@cache
def _statement(vendor, registry_guarded, risk_guarded):
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _FIELDS)
    values = ", ".join(["%s"] * len(_FIELDS))
    sql = f"INSERT INTO {quote(Signal._meta.db_table)} ({columns}) SELECT {values}"
    conditions = []
    if registry_guarded:
        sql += f" FROM {quote(RegistryVersion._meta.db_table)}"
        conditions.append(f"id = {REGISTRY_VERSION_ID} AND version = %s")
    if risk_guarded:
        # The guard rails the signal was checked against are still the current ones: a halt
        # committed meanwhile sends the alert round again, to be held.
        conditions.append(
            f"(SELECT version FROM {quote(RiskSettings._meta.db_table)}"
            f" WHERE id = {RiskSettings.SINGLETON_ID}) = %s"
        )
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    # RETURNING: PostgreSQL, and SQLite from 3.35 (README, requirements).
    return sql + f" RETURNING {quote(Signal._meta.pk.column)}"


def insert_signal(signal, registry_version=None, risk_version=None):
    """INSERT the unsaved ``signal`` and set its rowid. With ``registry_version``, only while the
    registry still has that version, with ``risk_version`` only while the risk settings do;
    returns whether the row was stored."""
    params = []
    for field, attname, as_is in _COLUMNS:
        value = getattr(signal, attname)
        if value is not None and type(value) is not as_is:
            value = field.get_db_prep_save(value, connection)
        params.append(value)
    guards = [v for v in (registry_version, risk_version) if v is not None]
    params.extend(guards)
    statement = _statement(
        connection.vendor, registry_version is not None, risk_version is not None
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return False
    signal.rowid = row[0]
    signal._state.adding, signal._state.db = False, connection.alias
    return True
