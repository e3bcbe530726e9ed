from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework_simplejwt.tokens import AccessToken

from pairsapi.api.errors import TokenProblem

from .selectors import active_user, session_is_revoked
from .tokens import decode_token, password_digest


def bearer_token(request):
    """The raw token of an ``Authorization: Bearer`` header; None when no header is sent."""
    header = get_authorization_header(request)
    if not header:
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != b"bearer":
        raise TokenProblem("the Authorization header must be 'Bearer <token>'.", "token_invalid")
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise TokenProblem("the token is not valid.", "token_invalid") from None


def verified_token(raw, token_class):
    """Decode a token and check its session and user are still good; returns (user, token)."""
    token = decode_token(raw, token_class)
    if session_is_revoked(token["sid"]):
        raise TokenProblem("the token has been revoked.", "token_revoked")
    user = active_user(token.get("user_id"))
    if user is None:
        raise TokenProblem("the token's user no longer exists.", "token_invalid")
    if token.get("pwd") != password_digest(user):
        raise TokenProblem(
            "the token has been revoked: the password changed since it was issued.",
            "token_revoked",
        )
    return user, token


class BearerTokenAuthentication(BaseAuthentication):
    """Never raises: a bad token leaves the caller anonymous (the optional-token lists then cap
    the answer), and the reason is kept so a route that needs a token can name it."""

    def authenticate(self, request):
        try:
            raw = bearer_token(request)
            if raw is None:
                return None
            return verified_token(raw, AccessToken)
        except TokenProblem as problem:
            request.token_problem = problem
            return None

    def authenticate_header(self, request):
        return 'Bearer realm="v3"'
