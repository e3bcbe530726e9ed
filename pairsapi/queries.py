"""Query helpers the apps' selectors share."""

from django.db.models import QuerySet


def newest(queryset: QuerySet, number: int) -> QuerySet:
    """Newest first; ``number`` 0 means every row."""
    queryset = queryset.order_by("-pk")
    return queryset if number == 0 else queryset[:number]
