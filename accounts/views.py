from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from pairsapi.api.errors import ItemNotFound
from pairsapi.api.listing import parse_number_of_items
from pairsapi.api.openapi import (
    LOGIN_TOKENS,
    MESSAGE,
    NUMBER_OF_ITEMS,
    REFRESHED_TOKENS,
    USERNAME,
    listing,
    v3_doc,
)
from pairsapi.api.permissions import AccessTokenRequired, FreshAdminTokenRequired
from pairsapi.api.throttles import client_address
from pairsapi.api.views import V3ViewSet

from . import selectors, services
from .login_limits import TooManyLoginAttempts, count_login_attempt, remember_login
from .permissions import RefreshTokenRequired
from .serializers import CredentialsSerializer, LoginSerializer
from .tokens import mint_login_tokens, mint_refreshed_tokens


class TokenViewSet(V3ViewSet):
    """``/v3/login``, ``/v3/refresh``, ``/v3/logout``."""

    openapi_tag = "tokens"

    action_permissions = {"refresh": [RefreshTokenRequired], "logout": [AccessTokenRequired]}

    @v3_doc("Log in: a fresh access token and a refresh token", LoginSerializer, LOGIN_TOKENS)
    def login(self, request):
        data = self.validated(LoginSerializer)
        try:
            count_login_attempt(client_address=client_address(request), username=data["username"])
        except TooManyLoginAttempts as refused:
            raise Throttled(wait=refused.wait_seconds) from None
        user = services.log_in(username=data["username"], password=data["password"])
        if user is None:
            return Response(
                {"message": "Invalid Credentials!"}, status=status.HTTP_401_UNAUTHORIZED
            )
        remember_login(client_address=client_address(request), username=data["username"])
        access, refresh = mint_login_tokens(user, data["expire"])
        return Response(
            {"access_token": str(access), "refresh_token": str(refresh), "expire": data["expire"]}
        )

    @v3_doc(
        "A new (not fresh) access token, from the refresh token in the Authorization header",
        None,
        REFRESHED_TOKENS,
    )
    def refresh(self, request):
        user, refresh = request.refresh_session
        access, new_refresh = mint_refreshed_tokens(user, refresh)
        return Response({"access_token": str(access), "refresh_token": str(new_refresh)})

    @v3_doc("Log out: revoke the access token and its login session", None, MESSAGE)
    def logout(self, request):
        services.revoke_session(session_id=request.auth["sid"])
        return Response({"message": "Successfully logged out"})


class UserViewSet(V3ViewSet):
    """``/v3/reguser``, ``/v3/users/<n>``, ``/v3/user/<username>``: admins only."""

    openapi_tag = "users"

    action_permissions = {
        action: [FreshAdminTokenRequired]
        for action in ("create", "upsert", "newest", "retrieve", "destroy")
    }

    @v3_doc("Create a user", CredentialsSerializer, {201: MESSAGE})
    def create(self, request):
        services.register_user(**self.validated(CredentialsSerializer))
        return Response({"message": "'user' created successfully."}, status=status.HTTP_201_CREATED)

    @v3_doc(
        "Set a user's password, or create the user",
        CredentialsSerializer,
        {200: USERNAME, 201: MESSAGE},
    )
    def upsert(self, request):
        user, created = services.upsert_user(**self.validated(CredentialsSerializer))
        if created:
            return Response(
                {"message": "'user' created successfully."}, status=status.HTTP_201_CREATED
            )
        return Response({"username": user.username})

    @v3_doc("Users, newest first", None, listing("users", USERNAME), [NUMBER_OF_ITEMS])
    def newest(self, request, number_of_items):
        number = parse_number_of_items(number_of_items)
        return Response({"users": [{"username": name} for name in selectors.usernames(number)]})

    @v3_doc("One user", None, USERNAME)
    def retrieve(self, request, username):
        user = selectors.user_by_username(username)
        if user is None:
            raise ItemNotFound()
        return Response({"username": user.username})

    @v3_doc("Delete a user", None, {200: MESSAGE})
    def destroy(self, request, username):
        services.delete_user(username=username)
        return Response({"message": "'user' deleted successfully."})
