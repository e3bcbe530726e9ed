import io
import json
import logging
import re
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from pairsapi.actors import ANONYMOUS, acting_as, user_actor

logger = logging.getLogger("pairsapi.errors")
request_logger = logging.getLogger("pairsapi.requests")

_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")
DATABASE_UNAVAILABLE = "the database is not answering; try again shortly."


def database_unavailable_response(**details):
    response = JsonResponse({"message": DATABASE_UNAVAILABLE, **details}, status=503)
    response["Retry-After"] = "5"
    return response


class RequestLogMiddleware:
    """One JSON line per request: method, path, status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_logger.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                }
            )
        )
        return response


class ActorMiddleware:
    """Names who acts in this request for the audit trail, and forgets it afterwards (a worker
    thread serves many people): staff in the admin, a signed-in user on the pages; under /v3/
    the API's permissions name the passphrase or the token's user once they accept it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = ANONYMOUS
        # /v3/ never reads the session: the webhook must not pay for a user it does not have.
        if not request.path_info.startswith("/v3/") and request.user.is_authenticated:
            actor = user_actor(request.user, staff_site=request.path_info.startswith("/admin/"))
        with acting_as(actor):
            return self.get_response(request)


class ApiRequestMiddleware:
    """What a request under /v3/ may carry, checked before anything reads it: no control
    characters in the path (a database cannot even compare a NUL), and a body of at most
    MAX_REQUEST_BODY_BYTES (413 beyond).

    A trailing slash is dropped before the route is looked up: webhook URLs are pasted by hand,
    and ``/v3/webhook/`` must reach the webhook, not lose the alert to a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/v3/") or request.path == "/v3":
            if _CONTROL_CHARACTER.search(request.path):
                return JsonResponse({"message": "the path holds a control character."}, status=400)
            path = request.path_info.rstrip("/")
            # "/v3" itself stays inside the API's URLs, where the JSON 404 answers.
            request.path_info = path if path != "/v3" else "/v3/"
            limit = settings.MAX_REQUEST_BODY_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"message": "invalid Content-Length header."}, status=400)
            too_big = length > limit
            if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", ""):
                too_big = self._take_chunked_body(request, limit)
            if too_big:
                return JsonResponse(
                    {"message": f"request body too large: at most {limit} bytes."}, status=413
                )
        return self.get_response(request)

    @staticmethod
    def _take_chunked_body(request, limit):
        """Read a chunked body (no length up front) up to the limit, and hand it on as a body of
        known length; Django would otherwise read it as empty."""
        data = request.META["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            return True
        request.META["CONTENT_LENGTH"] = str(len(data))
        request._stream = LimitedStream(io.BytesIO(data), len(data))
        return False


class ApiServerErrorMiddleware:
    """Unexpected errors answer JSON under /v3/, never Django's HTML (debug) page; a database
    that does not answer is a 503 everywhere, so clients know to retry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning(
                "database unavailable on %s %s: %s", request.method, request.path, exception
            )
            return database_unavailable_response()
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"message": "request body too large."}, status=413)
        if not request.path.startswith("/v3/"):
            return None
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return JsonResponse({"message": "internal server error."}, status=500)
