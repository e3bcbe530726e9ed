from django.http import Http404, JsonResponse
from rest_framework import viewsets
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from pairsapi.actors import PASSPHRASE, set_actor, user_actor
from pairsapi.domain import DomainError

from .errors import v3_error_response
from .fast_validation import validated_body
from .permissions import PassphraseRequired, request_body
from .throttles import PassphraseThrottle


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
            self.check_permissions(request)
            response = getattr(self, self.action)(request, *args, **kwargs)
        except (APIException, Http404, DomainError) as exc:
            response = v3_error_response(exc, request)
            self._note_refusal(request, exc, response)
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self._note_refusal(self.request, exc, response)
        return response

    def _note_refusal(self, request, exc, response):
        if isinstance(exc, ValidationError | ParseError):
            self.on_refused(request, exc, response)

    def on_refused(self, request, exc, response):
        """A body this route refused as malformed (ParseError) or invalid (ValidationError), and
        the 400 answered; the webhook logs it."""

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
        if PassphraseRequired in self.action_permissions.get(self.action, ()):
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
