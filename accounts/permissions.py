from rest_framework_simplejwt.tokens import RefreshToken

from pairsapi.api.errors import TokenProblem
from pairsapi.api.permissions import BEARER, DocumentedPermission

from .authentication import bearer_token, verified_token


class RefreshTokenRequired(DocumentedPermission):
    """A refresh token (not an access token) in the Authorization header. The verified
    (user, token) is left on the request as ``refresh_session``."""

    openapi_auth = "refresh"
    openapi_note = "Needs a refresh token (from /v3/login) in the Authorization header."
    openapi_security = BEARER

    def has_permission(self, request, view):
        raw = bearer_token(request)
        if raw is None:
            raise TokenProblem(
                "a refresh token is required: send 'Authorization: Bearer <refresh_token>'.",
                "authorization_required",
            )
        request.refresh_session = verified_token(raw, RefreshToken)
        return True
