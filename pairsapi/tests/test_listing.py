import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import ValidationError

from pairsapi.api.listing import capped_number_of_items, parse_number_of_items


class FakeRequest:
    def __init__(self, auth):
        self.auth = auth
        self.user = AnonymousUser()


@pytest.mark.parametrize("raw, number", [("0", 0), ("1", 1), ("20", 20), ("007", 7)])
def test_parse_number_of_items_accepts_zero_and_positive_integers(raw, number):
    assert parse_number_of_items(raw) == number


@pytest.mark.parametrize("raw", ["", "-1", "+1", "1.0", "one", "1 ", "٣", "1" * 19])
def test_parse_number_of_items_refuses_everything_else(raw):
    with pytest.raises(ValidationError):
        parse_number_of_items(raw)


@pytest.mark.parametrize(
    "raw, cap, expected", [("0", 5, 5), ("3", 5, 3), ("50", 5, 5), ("0", 20, 20), ("30", 20, 20)]
)
def test_anonymous_cap(raw, cap, expected):
    assert capped_number_of_items(raw, FakeRequest(None), cap) == expected


@pytest.mark.parametrize("raw, expected", [("0", 0), ("50", 50)])
def test_a_valid_token_lifts_the_cap(raw, expected):
    assert capped_number_of_items(raw, FakeRequest({"fresh": False}), 5) == expected
