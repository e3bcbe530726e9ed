from rest_framework import viewsets

from .permissions import request_body


class V3ViewSet(viewsets.ViewSet):
    """Base for the v3 viewsets.

    Authentication is lazy: a route that never looks at the token (the webhook) costs no query
    for it. Permissions are declared per action in ``action_permissions``.
    """

    action_permissions = {}

    def perform_authentication(self, request):
        pass

    def get_permissions(self):
        return [permission() for permission in self.action_permissions.get(self.action, ())]

    def body(self):
        return request_body(self.request)

    def validated(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.body(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
