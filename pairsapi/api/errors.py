"""The v3 error shapes: every answer under /v3/ is JSON, errors included.

Plain errors are ``{"message": "..."}``; validation errors name each bad field once:
``{"message": {"<field>": "<what is wrong>"}}``. Token errors add an ``error`` code.
"""

import logging

from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from pairsapi.domain import ITEM_NOT_FOUND, NotFound, RuleViolated

logger = logging.getLogger(__name__)


class ItemNotFound(exceptions.NotFound):
    default_detail = ITEM_NOT_FOUND


class RuleViolation(exceptions.APIException):
    """A trading rule refused the request (400 with a plain message)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "rule_violation"


def as_api_exception(exc):
    """The API's form of an error: the services' domain errors become their v3 answers."""
    if isinstance(exc, Http404 | NotFound):
        return ItemNotFound(str(exc) if isinstance(exc, NotFound) else None)
    if isinstance(exc, RuleViolated):
        return RuleViolation(str(exc))
    return exc


class TokenProblem(exceptions.APIException):
    """401 carrying one of the contract's token error codes."""

    status_code = status.HTTP_401_UNAUTHORIZED

    def __init__(self, message, code):
        super().__init__(detail=message, code=code)
        self.error_code = code


class AdminRequired(exceptions.PermissionDenied):
    default_detail = "'admin' privilege required."


def _first_message(value):
    """Collapse DRF's nested detail (lists of ErrorDetail) into one readable string."""
    if isinstance(value, (list, tuple)):
        return _first_message(value[0]) if value else ""
    if isinstance(value, dict):
        return {str(k): _first_message(v) for k, v in value.items()}
    return str(value)


def validation_message(detail):
    if isinstance(detail, dict):
        fields = {}
        for field, value in detail.items():
            message = _first_message(value)
            if field == "non_field_errors":
                return message
            fields[str(field)] = message
        return fields
    return _first_message(detail)


def v3_error(exc, method):
    """The v3 answer to an APIException: (body, headers); the status is ``exc.status_code``."""
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        body = {"message": validation_message(exc.detail)}
    elif isinstance(exc, exceptions.ParseError):
        body = {"message": f"malformed request body: {exc.detail}"}
    elif isinstance(exc, exceptions.MethodNotAllowed):
        body = {"message": f"method {method} is not allowed here."}
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        body = {"message": f"unsupported content type: {exc.detail}"}
    elif isinstance(exc, exceptions.Throttled):
        body = {
            "message": "too many requests, slow down.",
            "retry_after": headers.get("Retry-After"),
        }
    else:
        body = {"message": _first_message(exc.detail)}
    if isinstance(exc, TokenProblem):
        body["error"] = exc.error_code
    return body, headers


def v3_exception_handler(exc, context):
    exc = as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a genuine server error: Django's handler500 answers (JSON under /v3/)
    body, headers = v3_error(exc, context["request"].method)
    return Response(body, status=exc.status_code, headers=headers)


def v3_error_response(exc, request):
    """The same answer as ``v3_exception_handler``, as a plain JsonResponse."""
    exc = as_api_exception(exc)
    body, headers = v3_error(exc, request.method)
    return JsonResponse(body, status=exc.status_code, headers=headers)


def route_not_found(request):
    """The answer for a /v3/ path that names no route, whatever the method."""
    return JsonResponse({"message": "no such route", "path": request.path}, status=404)


def _is_api(request):
    return request.path.startswith("/v3/") or request.path == "/v3"


def json_or_html(handler_name):
    """Wrap Django's default page handler: JSON under /v3/, the usual page elsewhere."""
    from django.views import defaults

    default = getattr(defaults, handler_name)
    status_by_handler = {
        "page_not_found": 404,
        "server_error": 500,
        "bad_request": 400,
        "permission_denied": 403,
    }
    messages = {
        404: ITEM_NOT_FOUND,
        500: "internal server error.",
        400: "bad request.",
        403: "forbidden.",
    }

    def handler(request, *args, **kwargs):
        code = status_by_handler[handler_name]
        if _is_api(request):
            if code == 404:
                return route_not_found(request)
            return JsonResponse({"message": messages[code]}, status=code)
        return default(request, *args, **kwargs)

    return handler
