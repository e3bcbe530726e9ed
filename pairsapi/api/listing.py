"""``<number_of_items>`` in list paths and the anonymous cap on the optional-token lists."""

import re

from rest_framework.exceptions import ValidationError

ANONYMOUS_CAP = 5
_DIGITS = re.compile(r"[0-9]{1,18}")


def path_integer(raw, name, minimum=0, maximum=None):
    """A whole number from a path segment or a query (ASCII digits only, at most ``maximum``
    when given); anything else is a 400."""
    if (
        not isinstance(raw, str)
        or not _DIGITS.fullmatch(raw)
        or int(raw) < minimum
        or (maximum is not None and int(raw) > maximum)
    ):
        if maximum is not None:
            wanted = f"a whole number from {minimum} to {maximum}"
        else:
            wanted = "0 (all) or a positive integer" if minimum == 0 else "a positive integer"
        raise ValidationError({name: f"'{raw}' is not {wanted}."})
    return int(raw)


def parse_number_of_items(raw):
    """0 means all, a positive integer the newest N."""
    return path_integer(raw, "number_of_items")


def capped_number_of_items(raw, request, cap=ANONYMOUS_CAP):
    """The number of rows to return; a caller without a valid access token gets at most ``cap``."""
    number = parse_number_of_items(raw)
    if request.auth is not None:
        return number
    return cap if number == 0 else min(number, cap)
