"""What a username may be. Usernames are NFKC-normalised (as Django stores them), plain ASCII
letters, digits and ``@ . + - _`` (so a Cyrillic ``а`` cannot pass for a Latin ``a``), and unique
whatever their case: ``Admin`` cannot sit beside ``admin``.
"""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.exceptions import ValidationError

ALLOWED = "'username' may hold only ASCII letters, digits and @ . + - _"
TAKEN = "'username' already exists."


class UsernameRefused(Exception):
    pass


def normalized_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username)


def check_new_username(username: str, *, other_than=None) -> str:
    """The normalised username, when a new user (or ``other_than``, renamed) may take it."""
    username = normalized_username(username)
    try:
        ASCIIUsernameValidator()(username)
    except ValidationError:
        raise UsernameRefused(ALLOWED) from None
    taken = get_user_model().objects.filter(username__iexact=username)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise UsernameRefused(TAKEN)
    return username
