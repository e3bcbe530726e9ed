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


# INCR, and on a window's first hit EXPIRE: one command, so one round trip and no race.
_COUNT_HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""


def _redis_hit_counter(cache):
    """The counting script, bound once per cache backend: building a redis-py client or
    pipeline per request costs more than the round trip itself."""
    counter = getattr(cache, "_pairsapi_hit_counter", None)
    if counter is None:
        client = cache._cache.get_client(write=True)
        counter = cache._pairsapi_hit_counter = client.register_script(_COUNT_HIT)
    return counter


def count_hit(key, ttl):
    """Add one to a shared counter and return its value; the counter expires after ``ttl`` s."""
    cache = caches["default"]  # the backend itself: `django.core.cache.cache` is a proxy
    if isinstance(cache, RedisCache):
        return _redis_hit_counter(cache)(keys=[cache.make_and_validate_key(key)], args=[ttl])
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
