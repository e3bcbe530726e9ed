"""One limit on password guesses for every way in: ``/v3/login``, the pages' ``/login/`` and the
admin's ``/admin/login/``. Attempts are counted per client address and per username in the
shared counters, so a guesser gains nothing by switching door, worker or address. Every attempt
counts, the right password included: past the limit it is refused too until the window ends.

A username's limit would let a stranger lock its owner out by guessing on purpose. So an
address the owner has logged in from before (remembered KNOWN_FOR) keeps an allowance of its
own for that username: strangers' guesses use up the shared one, not the owner's.
"""

import logging
import time
import unicodedata

from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.dispatch import receiver
from rest_framework.settings import api_settings

from pairsapi.api.throttles import client_address
from pairsapi.counters import count_hits, parse_rate

logger = logging.getLogger(__name__)


class TooManyLoginAttempts(Exception):
    def __init__(self, wait_seconds: float):
        super().__init__(f"too many login attempts; try again in {int(wait_seconds) + 1} s.")
        self.wait_seconds = wait_seconds


def username_key(username: str) -> str:
    """The form in which two usernames are the same person: NFKC, case folded."""
    return unicodedata.normalize("NFKC", username).casefold()


# How long an address the owner logged in from keeps its own allowance.
KNOWN_FOR = 90 * 24 * 3600


def _known_key(client_address: str, username: str) -> str:
    return f"login:known:{username_key(username)}:{client_address}"


def remember_login(*, client_address: str, username: str) -> None:
    """The owner logged in from this address: it keeps its own allowance from now on."""
    try:
        cache.set(_known_key(client_address, username), 1, KNOWN_FOR)
    except Exception:  # the shared cache away: the address is simply not remembered
        logger.warning("could not remember a login address", exc_info=True)


def _is_known(client_address: str, username: str) -> bool:
    try:
        return cache.get(_known_key(client_address, username)) is not None
    except Exception:
        return False


def count_login_attempt(*, client_address: str, username: str) -> None:
    """Count one attempt; raise TooManyLoginAttempts past the limit (LOGIN_THROTTLE_RATE)."""
    limit, window = parse_rate(api_settings.DEFAULT_THROTTLE_RATES["login"])
    now = time.time()
    window_start = int(now // window)
    user = f"user:{username_key(username)}"
    if _is_known(client_address, username):
        user += f":known:{client_address}"
    for who in (f"address:{client_address}", user):
        counted = count_hits(f"throttle:login:{who}:{window_start}", 1, window + 1)
        if counted > limit:
            raise TooManyLoginAttempts(window - now % window)


@receiver(user_logged_in)
def _remember_page_login(sender, request, user, **kwargs):
    """The pages' and the admin's logins (Django's own views) remember their address too."""
    if request is not None:
        remember_login(client_address=client_address(request), username=user.get_username())
