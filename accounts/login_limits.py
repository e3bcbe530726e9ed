"""One limit on password guesses for every way in: ``/v3/login``, the pages' ``/login/`` and the
admin's ``/admin/login/``. Attempts are counted per client address and per username in the
shared counters, so a guesser gains nothing by switching door, worker or address. Every attempt
counts, the right password included: past the limit it is refused too until the window ends.
"""

import time
import unicodedata

from rest_framework.settings import api_settings

from pairsapi.counters import count_hits, parse_rate


class TooManyLoginAttempts(Exception):
    def __init__(self, wait_seconds: float):
        super().__init__(f"too many login attempts; try again in {int(wait_seconds) + 1} s.")
        self.wait_seconds = wait_seconds


def username_key(username: str) -> str:
    """The form in which two usernames are the same person: NFKC, case folded."""
    return unicodedata.normalize("NFKC", username).casefold()


def count_login_attempt(*, client_address: str, username: str) -> None:
    """Count one attempt; raise TooManyLoginAttempts past the limit (LOGIN_THROTTLE_RATE)."""
    limit, window = parse_rate(api_settings.DEFAULT_THROTTLE_RATES["login"])
    now = time.time()
    window_start = int(now // window)
    for who in (f"address:{client_address}", f"user:{username_key(username)}"):
        counted = count_hits(f"throttle:login:{who}:{window_start}", 1, window + 1)
        if counted > limit:
            raise TooManyLoginAttempts(window - now % window)
