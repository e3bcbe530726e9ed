import logging
import threading
import time

from django.db import DatabaseError
from django.utils import timezone

from pairsapi.api.throttles import client_address

from .services import record_bridge_contact

logger = logging.getLogger("safetynet.contacts")

# A bridge polls every few seconds; one write per address and route in this interval is enough
# for "last seen" and keeps the poll from writing on every request.
CONTACT_WRITE_INTERVAL = 5.0
# Answers that say the credential was not accepted: not a sign of the bridge.
_REFUSED = {401, 403, 429}


class BridgeContactMiddleware:
    """Records the bridge's contacts: views mark a request the bridge makes (``bridge_route``);
    this writes the mark after the answer, at most once per CONTACT_WRITE_INTERVAL per address
    and route in each worker process."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.written: dict[tuple[str, str], float] = {}
        self.lock = threading.Lock()

    def __call__(self, request):
        response = self.get_response(request)
        route = getattr(request, "bridge_route", None)
        if route and response.status_code < 500 and response.status_code not in _REFUSED:
            address = client_address(request)
            self._record(address, route)
            # A stream stays open for hours: it calls this while it is still being read.
            request.bridge_alive = lambda: self._record(address, route)
        return response

    def _record(self, address, route):
        key, now = (address, route), time.monotonic()
        with self.lock:
            if now - self.written.get(key, -CONTACT_WRITE_INTERVAL) < CONTACT_WRITE_INTERVAL:
                return
            self.written[key] = now
        try:
            record_bridge_contact(address=address, route=route, at=timezone.now())
        except DatabaseError as error:  # the answer is already made; "last seen" can wait
            logger.warning("bridge contact not recorded: %s", error)
