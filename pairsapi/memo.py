"""Figures a page works out at most once in a while, kept in the shared cache.

A page never fails for want of the cache: while Redis is failing (see ``counters.redis_outage``)
the figures are worked out on every read instead, without waiting on Redis's timeout each time.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

from .counters import redis_outage

T = TypeVar("T")


def remembered(key: str, work_out: Callable[[], T], seconds: float) -> T:
    """``work_out()``, or what it gave within the last ``seconds``."""
    if redis_outage.ongoing():
        return work_out()
    try:
        kept = cache.get(key)
    except (RedisError, OSError) as error:
        redis_outage.begin(error)
        return work_out()
    if kept is not None:
        return kept
    value = work_out()
    try:
        cache.set(key, value, seconds)
    except (RedisError, OSError) as error:
        redis_outage.begin(error)
    return value
