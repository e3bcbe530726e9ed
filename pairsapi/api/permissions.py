"""Who may call what: the passphrase in the body, a (fresh) access token, an admin's.

The permission classes are the one statement of a route's access: each says how the API
description shows it (``openapi_auth``, ``openapi_note``, ``openapi_security``), and
``V3AutoSchema`` reads them from the views' ``action_permissions``.
"""

from collections.abc import Mapping

from django.conf import settings
from django.utils.crypto import constant_time_compare
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission

from .errors import AdminRequired, TokenProblem
from .fields import empty_message


def request_body(request):
    """The parsed body as a mapping; a list, a string or a number is a 400."""
    data = request.data
    if not isinstance(data, Mapping):
        raise ValidationError("the request body must be a JSON object.")
    return data


BEARER: list[dict[str, list[str]]] = [{"jwtAuth": []}]


class DocumentedPermission(BasePermission):
    openapi_auth = "none"
    openapi_note = ""
    openapi_security: list[dict[str, list[str]]] = []


class OptionalAccessToken(DocumentedPermission):
    """Anyone may read; a valid access token lifts the anonymous cap (the view applies it)."""

    openapi_auth = "optional"
    openapi_note = "Anyone may read; a valid access token lifts the anonymous cap."
    openapi_security = [*BEARER, {}]

    def has_permission(self, request, view):
        return True


class PassphraseRequired(DocumentedPermission):
    """The webhook passphrase travels in the body (TradingView cannot send headers)."""

    openapi_auth = "passphrase"
    openapi_note = "Needs the webhook passphrase in the body."

    def has_permission(self, request, view):
        supplied = request_body(request).get("passphrase")
        if supplied is None or supplied == "":
            raise ValidationError({"passphrase": empty_message("passphrase")})
        if not isinstance(supplied, str) or not constant_time_compare(
            # surrogatepass: a lone surrogate from the JSON is a wrong passphrase, not a crash.
            supplied.encode("utf-8", "surrogatepass"),
            settings.WEBHOOK_PASSPHRASE.encode("utf-8"),
        ):
            raise ValidationError({"passphrase": "incorrect passphrase."})
        return True


class AccessTokenRequired(DocumentedPermission):
    fresh = False
    openapi_auth = "token"
    openapi_note = "Needs an access token (fresh or refreshed)."
    openapi_security = BEARER

    def has_permission(self, request, view):
        if request.auth is None:
            raise getattr(request, "token_problem", None) or TokenProblem(
                "an access token is required: send 'Authorization: Bearer <token>'.",
                "authorization_required",
            )
        if self.fresh and not request.auth.get("fresh", False):
            raise TokenProblem(
                "a fresh access token is required: log in again.", "fresh_token_required"
            )
        return True


def passphrase_header_matches(request) -> bool | None:
    """None without an ``X-Passphrase`` header (or with an empty one), else whether it is the
    webhook passphrase."""
    supplied = request.META.get("HTTP_X_PASSPHRASE")
    if not supplied:
        return None
    return constant_time_compare(
        supplied.encode("latin-1", "replace"), settings.WEBHOOK_PASSPHRASE.encode("utf-8")
    )


class AccessTokenOrPassphraseHeader(AccessTokenRequired):
    """For a client that cannot put the passphrase in a body (a GET): the broker bridge sends
    it in an ``X-Passphrase`` header; anyone else a valid access token."""

    openapi_auth = "token or passphrase header"
    openapi_note = (
        "Needs an access token, or the webhook passphrase in an X-Passphrase header "
        "(the broker bridge's credential)."
    )
    openapi_security = [*BEARER, {"passphraseHeader": []}]

    def has_permission(self, request, view):
        matches = passphrase_header_matches(request)
        if matches is None:
            return super().has_permission(request, view)
        if not matches:
            raise TokenProblem("incorrect passphrase.", "passphrase_invalid")
        return True


class FreshTokenRequired(AccessTokenRequired):
    fresh = True
    openapi_auth = "fresh"
    openapi_note = "Needs a fresh access token (from /v3/login, not /v3/refresh)."


class FreshAdminTokenRequired(FreshTokenRequired):
    openapi_auth = "admin"
    openapi_note = "Needs a fresh access token of an admin (a staff user)."

    def has_permission(self, request, view):
        super().has_permission(request, view)
        if not request.user.is_staff:
            raise AdminRequired()
        return True
