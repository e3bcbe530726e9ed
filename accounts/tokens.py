"""Access and refresh tokens (SimpleJWT, signed with SECRET_KEY so every worker shares them).

Every token carries ``sid``, the id of the login session it descends from; a logout revokes the
session, so the access token and the refresh tokens of that login all stop working together.

Every token also carries ``pwd``, a digest of the user's password hash at the time of login
(Django's session auth hash, keyed with SECRET_KEY): a password change, whichever way it is made
(the API, the admin, ``manage.py changepassword``), ends every session of that user, as it does
for the pages' sessions.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from pairsapi.api.errors import TokenProblem

DEFAULT_EXPIRE_MINUTES = 10
MIN_EXPIRE_MINUTES = 1
MAX_EXPIRE_MINUTES = 24 * 60


def _access_token(user, session_id, expire_minutes, fresh):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(minutes=expire_minutes))
    token["sid"] = session_id
    token["pwd"] = password_digest(user)
    token["fresh"] = fresh
    token["is_admin"] = user.is_staff
    token["username"] = user.get_username()
    return token


def _refresh_token(user, session_id, expire_minutes):
    token = RefreshToken.for_user(user)
    token["sid"] = session_id
    token["pwd"] = password_digest(user)
    # A refreshed access token lives as long as the one the user asked for at login.
    token["expire"] = expire_minutes
    return token


def password_digest(user):
    """A short digest of the user's current password hash: it changes with the password."""
    return user.get_session_auth_hash()[:16]


def mint_login_tokens(user, expire_minutes=DEFAULT_EXPIRE_MINUTES):
    session_id = uuid.uuid4().hex
    return (
        _access_token(user, session_id, expire_minutes, fresh=True),
        _refresh_token(user, session_id, expire_minutes),
    )


def mint_refreshed_tokens(user, refresh):
    session_id = refresh["sid"]
    expire_minutes = refresh.get("expire", DEFAULT_EXPIRE_MINUTES)
    return (
        _access_token(user, session_id, expire_minutes, fresh=False),
        _refresh_token(user, session_id, expire_minutes),
    )


def refresh_lifetime():
    return settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]


def decode_token(raw, token_class):
    """Decode and verify a token, turning failures into the contract's error codes."""
    try:
        token = token_class(raw)
    except ExpiredTokenError:
        raise TokenProblem("the token has expired.", "token_expired") from None
    except TokenError as error:
        raise TokenProblem(f"the token is not valid: {error}.", "token_invalid") from None
    if not token.get("sid"):
        raise TokenProblem("the token is not valid: it names no session.", "token_invalid")
    return token
