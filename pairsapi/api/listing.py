"""``<number_of_items>`` in list paths and the anonymous cap on the optional-token lists."""

import re

from rest_framework.exceptions import ValidationError

ANONYMOUS_CAP = 5
_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_number_of_items(raw):
    """0 means all, a positive integer the newest N; anything else is a 400."""
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        raise ValidationError({"number_of_items": f"'{raw}' is not 0 (all) or a positive integer."})
    return int(raw)


def capped_number_of_items(raw, request, cap=ANONYMOUS_CAP):
    """The number of rows to return; a caller without a valid access token gets at most ``cap``."""
    number = parse_number_of_items(raw)
    if request.auth is not None:
        return number
    return cap if number == 0 else min(number, cap)


def newest(queryset, number):
    """Newest first; ``number`` 0 means every row."""
    queryset = queryset.order_by("-pk")
    return queryset if number == 0 else queryset[:number]
