from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, JsonResponse
from rest_framework import viewsets
from rest_framework.exceptions import (
    APIException,
    ParseError,
    ValidationError,
)
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from pairsapi.actors import PASSPHRASE, set_actor, user_actor
from pairsapi.domain import DomainError

from .errors import v3_error_response
from .fast_validation import validated_body
from .permissions import (
    AccessTokenOrPassphraseHeader,
    PassphraseRequired,
    passphrase_header_matches,
    request_body,
)
from .throttles import PassphraseThrottle

# Django's limits on what it parses from a body: the sender's fault, a 400 in words.
PARSE_LIMITS = (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)


def _parse_limit_error(exc: Exception) -> ParseError:
    if isinstance(exc, TooManyFieldsSent):
        return ParseError(f"too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}.")
    if isinstance(exc, TooManyFilesSent):
        return ParseError(f"too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}.")
    return ParseError("the body is too large.")


class V3ViewSet(viewsets.ViewSet):
    """Base for the v3 viewsets.

    Authentication is lazy: a route that never looks at the token (the webhook) costs no query
    for it. Permissions are declared per action in ``action_permissions``, throttles in
    ``action_throttles``; every passphrase route is throttled as well.
    """

    action_permissions: dict[str, list[type[BasePermission]]] = {}
    action_throttles: dict[str, list[type[BaseThrottle]]] = {}
    # Hot actions answered without DRF's response cycle (see lean_dispatch).
    lean_actions: tuple[str, ...] = ()
    # Passphrase actions TradingView calls; every other passphrase action is the broker bridge's.
    alert_actions: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if self.action_map.get(request.method.lower()) in self.lean_actions:
            return self.lean_dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def lean_dispatch(self, request, *args, **kwargs):
        """DRF's request cycle minus content negotiation, response finalizing and rendering,
        which cost a webhook more than its checks: the same request object and body parsers,
        throttles, permissions and error shapes; the action answers with ``answer()``."""
        self.args, self.kwargs = args, kwargs
        self.request = request = self.initialize_request(request, *args, **kwargs)
        try:
            try:
                self.check_permissions(request)
                response = getattr(self, self.action)(request, *args, **kwargs)
            except PARSE_LIMITS as too_much:
                raise _parse_limit_error(too_much) from None
        except (APIException, Http404, DomainError) as exc:
            response = v3_error_response(exc, request)
            self._note_refusal(request, exc, response)
        return response

    def handle_exception(self, exc):
        if isinstance(exc, PARSE_LIMITS):
            exc = _parse_limit_error(exc)
        response = super().handle_exception(exc)
        self._note_refusal(self.request, exc, response)
        return response

    def _note_refusal(self, request, exc, response):
        wrong_passphrase = getattr(exc, "status_code", None) == 401 and (
            passphrase_header_matches(request) is False
        )
        if isinstance(exc, ValidationError | ParseError) or wrong_passphrase:
            self.on_refused(request, exc, response)

    def on_refused(self, request, exc, response):
        """A body this route refused as malformed (ParseError) or invalid (ValidationError), or
        a wrong passphrase in a header, and the answer; the webhook and the stream log it."""

    def answer(self, data, status=200):
        """The action's JSON answer: a DRF Response, or a plain JsonResponse on the lean path."""
        if self.action in self.lean_actions:
            return JsonResponse(data, status=status)
        return Response(data, status=status)

    def perform_authentication(self, request):
        pass

    def get_permissions(self):
        return [permission() for permission in self.action_permissions.get(self.action, ())]

    def get_throttles(self):
        throttles = list(self.action_throttles.get(self.action, ()))
        permissions = self.action_permissions.get(self.action, ())
        # A passphrase sent in a header (the stream's) is guessed as fast as one in a body:
        # every try counts against the same limit as the webhook's.
        header_passphrase = AccessTokenOrPassphraseHeader in permissions and bool(
            self.request.META.get("HTTP_X_PASSPHRASE")
        )
        if PassphraseRequired in permissions or header_passphrase:
            throttles.append(PassphraseThrottle)
        return [throttle() for throttle in throttles]

    def check_permissions(self, request):
        # Throttles first, so that wrong passphrases and passwords count against the limit.
        super().check_throttles(request)
        super().check_permissions(request)
        # Allowed: name who acts, for the audit trail, and note the bridge's contact.
        if PassphraseRequired in self.action_permissions.get(self.action, ()):
            set_actor(PASSPHRASE)
            if self.action not in self.alert_actions:
                self.note_bridge_contact(request)
        else:
            # Only a user the permissions already authenticated: reading request.user here
            # would authenticate routes that never look at a token.
            user = request.__dict__.get("_user")
            if user is not None and user.is_authenticated:
                set_actor(user_actor(user))

    def note_bridge_contact(self, request, route=None):
        """Mark the request as the broker bridge's, for "bridge last seen" (the safety net's
        middleware records it once answered)."""
        request._request.bridge_route = route or f"{request.method} {request.path_info}"

    def check_throttles(self, request):
        """Already done in check_permissions."""

    def body(self):
        return request_body(self.request)

    def validated(self, serializer_class):
        return validated_body(serializer_class, self.body())
