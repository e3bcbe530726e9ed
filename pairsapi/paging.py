"""The admin's lists of big tables: PostgreSQL's estimate of how many rows a list holds stands in
for counting them when it is large, instead of counting a million rows on every page view."""

import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Below this many rows (by the estimate) the exact count is cheap and shown instead.
ESTIMATE_ABOVE = 20_000


def estimated_rows(queryset) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` holds: the table's size when it is not
    filtered, the planner's figure when it is; None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    query = queryset.query
    with connection.cursor() as cursor:
        if not query.where:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            return int(cursor.fetchone()[0])
        try:
            sql, params = queryset.values("pk").order_by().query.sql_with_params()
        except EmptyResultSet:  # .none(): nothing to estimate
            return 0
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        if getattr(self.object_list, "query", None) is not None:
            estimate = estimated_rows(self.object_list)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                return estimate
        return super().count
