"""Request throttles whose counters live in the shared cache (Redis, or the database), so the
limit holds across every worker process.

A fixed window with one atomic increment per request: cheap enough for the webhook, unlike
DRF's default throttle, which stores and rewrites a list of every request's time.
"""

import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


def count_hit(key, ttl):
    """Add one to a shared counter and return its value; the counter expires after ``ttl`` s."""
    cache = caches["default"]  # the backend itself: `django.core.cache.cache` is a proxy
    if isinstance(cache, RedisCache):
        # One round trip: INCR creates the key at 1, EXPIRE NX sets its lifetime only once.
        full_key = cache.make_and_validate_key(key)
        pipeline = cache._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, ttl, nx=True)
        return pipeline.execute()[0]
    try:
        return cache.incr(key)
    except ValueError:
        # First hit of the window; if another worker added it meanwhile, count on it.
        return 1 if cache.add(key, 1, timeout=ttl) else cache.incr(key)


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
        return count_hit(key, self.window + 1) <= self.limit

    def wait(self):
        return self.wait_seconds


class LoginThrottle(WindowThrottle):
    scope = "login"


class PassphraseThrottle(WindowThrottle):
    scope = "passphrase"
