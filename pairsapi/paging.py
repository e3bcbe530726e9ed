"""The admin's lists of big tables: an unfiltered list takes PostgreSQL's estimate of the
table's size instead of counting a million rows on every page view."""

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Below this many rows (by the estimate) the exact count is cheap and shown instead.
ESTIMATE_ABOVE = 100_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        model = getattr(self.object_list, "model", None)
        if connection.vendor == "postgresql" and query is not None and not query.where and model:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > ESTIMATE_ABOVE:
                return int(row[0])
        return super().count
