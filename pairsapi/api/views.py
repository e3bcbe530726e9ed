from rest_framework import viewsets

from .permissions import PassphraseRequired, request_body
from .throttles import PassphraseThrottle


class V3ViewSet(viewsets.ViewSet):
    """Base for the v3 viewsets.

    Authentication is lazy: a route that never looks at the token (the webhook) costs no query
    for it. Permissions are declared per action in ``action_permissions``, throttles in
    ``action_throttles``; every passphrase route is throttled as well.
    """

    action_permissions = {}
    action_throttles = {}

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

    def check_throttles(self, request):
        """Already done in check_permissions."""

    def body(self):
        return request_body(self.request)

    def validated(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.body(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
