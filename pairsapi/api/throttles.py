"""Request throttles whose counters are shared by every worker process (``pairsapi.counters``),
so the limit holds across workers.

A fixed window per client. A worker does not count each request in the shared counter: it
leases a few hits at once (up to 1/64 of the limit, at most 10) and admits them locally, so the
webhook makes a round trip to the counter once per lease instead of once per alert. A hit is
counted before it is admitted, so the limit is never exceeded; a lease left unused when the
window ends can only make the limit bite up to (workers x lease) hits early. A limit under 128
leases one hit at a time. The login limit counts each attempt itself (``accounts.login_limits``).
"""

import threading
import time

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from pairsapi.counters import count_hits, parse_rate

MAX_LEASE = 10


def lease_size(limit):
    return max(1, min(MAX_LEASE, limit // 64))


class _Leases:
    """Per counter key, the hits this worker has counted in the shared counter and may still
    admit, and whether the counter said the limit was reached (then no lease is asked again
    until the window ends)."""

    def __init__(self):
        self.held = {}  # key -> (hits left, limit reached)
        self.window = None
        self.lock = threading.Lock()  # gthread workers serve several requests at once

    def admit(self, key, window, limit, ttl):
        with self.lock:
            if window != self.window:  # the keys of past windows are dead
                self.held, self.window = {}, window
            left, reached = self.held.get(key, (0, False))
            if left:
                self.held[key] = (left - 1, reached)
                return True
            if reached:
                return False
        size = lease_size(limit)
        counted = count_hits(key, size, ttl)
        granted = max(0, min(size, limit - (counted - size)))
        with self.lock:
            if window == self.window:
                # Added to what another thread's lease left meanwhile, never in its place: an
                # overwritten leftover is hits paid for and never used (the limit bites early).
                left, reached = self.held.get(key, (0, False))
                self.held[key] = (left + max(0, granted - 1), reached or granted < size)
        return granted > 0


class WindowThrottle(BaseThrottle):
    scope: str | None = None
    leases = None  # per subclass: see __init_subclass__

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.leases = _Leases()

    def __init__(self):
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.limit, self.window = parse_rate(rate) if rate else (None, None)

    def allow_request(self, request, view):
        if self.limit is None:
            return True
        now = time.time()
        window_start = int(now // self.window)
        self.wait_seconds = self.window - (now % self.window)
        key = f"throttle:{self.scope}:{self.get_ident(request)}:{window_start}"
        return self.leases.admit(key, window_start, self.limit, self.window + 1)

    def wait(self):
        return self.wait_seconds


def forget_leases():
    """Drop every lease this process holds (tests: a lease belongs to one cache and one limit)."""
    for throttle in WindowThrottle.__subclasses__():
        throttle.leases = _Leases()


class PassphraseThrottle(WindowThrottle):
    scope = "passphrase"


class RegistryWriteThrottle(WindowThrottle):
    """Registry writes per user: every alert reads the registry, so one script registering
    thousands of tickers slows every alert."""

    scope = "registry"

    def get_ident(self, request):
        user = request.user  # the token, read here: the throttle runs before the permissions
        if user.is_authenticated:
            return f"user:{user.pk}"
        return f"address:{super().get_ident(request)}"


def client_address(request) -> str:
    """The client's address as the throttles count it (behind NUM_PROXIES trusted proxies,
    the address they report)."""
    return BaseThrottle().get_ident(request)
