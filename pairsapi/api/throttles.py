"""Request throttles whose counters live in the shared cache (Redis, or the database), so the
limit holds across every worker process.

A fixed window with one atomic increment per request: cheap enough for the webhook, unlike
DRF's default throttle, which stores and rewrites a list of every request's time.
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


class WindowThrottle(BaseThrottle):
    scope = None

    def __init__(self):
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.limit, self.window = self.parse_rate(rate) if rate else (None, None)

    @staticmethod
    def parse_rate(rate):
        count, _, period = rate.partition("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]
        return int(count), seconds

    def allow_request(self, request, view):
        if self.limit is None:
            return True
        now = time.time()
        window_start = int(now // self.window)
        self.wait_seconds = self.window - (now % self.window)
        key = f"throttle:{self.scope}:{self.get_ident(request)}:{window_start}"
        try:
            hits = cache.incr(key)
        except ValueError:
            # First request of the window; if another worker added it meanwhile, count on it.
            hits = 1 if cache.add(key, 1, timeout=self.window + 1) else cache.incr(key)
        return hits <= self.limit

    def wait(self):
        return self.wait_seconds


class LoginThrottle(WindowThrottle):
    scope = "login"


class PassphraseThrottle(WindowThrottle):
    scope = "passphrase"
