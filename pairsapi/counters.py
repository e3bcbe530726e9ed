"""Hit counters shared by every worker process: in Redis when the cache is Redis, else in the
database (``ThrottleCounter``). The throttles and the login limit count with them.

When Redis fails or is slow (its client gives up after REDIS_TIMEOUT_SECONDS), the counters
fall back to the database for REDIS_RETRY_AFTER_SECONDS before Redis is tried again: a counter is
never worth an alert.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from redis.exceptions import RedisError

from pairsapi.models import ThrottleCounter

logger = logging.getLogger(__name__)

# INCRBY, and on a window's first hits EXPIRE: one command, so one round trip and no race.
_COUNT_HITS = """
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""


def _redis_hit_counter(cache):
    """The counting script, bound once per cache backend: building a redis-py client or
    pipeline per request costs more than the round trip itself."""
    counter = getattr(cache, "_pairsapi_hit_counter", None)
    if counter is None:
        client = cache._cache.get_client(write=True)
        counter = cache._pairsapi_hit_counter = client.register_script(_COUNT_HITS)
    return counter


class _RedisOutage:
    """When Redis last failed in this worker: the counters stay in the database for a while
    rather than pay Redis's timeout on every lease."""

    def __init__(self):
        self.until = 0.0

    def ongoing(self):
        return time.monotonic() < self.until

    def begin(self, error):
        if not self.ongoing():
            logger.warning("Redis failed (%s): counting in the database for a while", error)
        self.until = time.monotonic() + settings.REDIS_RETRY_AFTER_SECONDS


redis_outage = _RedisOutage()


def parse_rate(rate):
    """``"10/min"`` as (10, 60): hits allowed, and the window in seconds."""
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]
    return int(count), seconds


def count_hits(key, hits, ttl):
    """Add ``hits`` to a shared counter and return its new value; it expires after ``ttl`` s."""
    cache = caches["default"]  # the backend itself: `django.core.cache.cache` is a proxy
    if isinstance(cache, RedisCache):
        if not redis_outage.ongoing():
            try:
                redis_key = cache.make_and_validate_key(key)
                return _redis_hit_counter(cache)(keys=[redis_key], args=[ttl, hits])
            except (RedisError, OSError) as error:
                redis_outage.begin(error)
        return _count_in_database(key, hits, ttl)
    if isinstance(cache, DatabaseCache):
        return _count_in_database(key, hits, ttl)
    try:  # an in-process cache (tests): one process, nothing to race
        return cache.incr(key, hits)
    except ValueError:
        # First hits of the window; if another worker added it meanwhile, count on it.
        return hits if cache.add(key, hits, timeout=ttl) else cache.incr(key, hits)


def redis_status():
    """``ok`` or ``down`` for the Redis the counters use; ``not configured`` without one."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return "not configured"
    try:
        cache._cache.get_client(write=True).ping()
    except (RedisError, OSError):
        return "down"
    return "ok"


def _count_in_database(key, hits, ttl):
    """One upsert, so concurrent workers cannot lose hits."""
    now = time.time()
    table = connection.ops.quote_name(ThrottleCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, hits, expires) VALUES (%s, %s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET hits = {table}.hits + excluded.hits "
            "RETURNING hits",
            [key, hits, now + ttl],
        )
        counted = cursor.fetchone()[0]
        if counted == hits:  # a window's first hits for this client: drop ended windows
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])
    return counted
