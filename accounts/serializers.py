from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from pairsapi.api.fields import TextField, V3Serializer, WholeNumberField

from . import usernames
from .tokens import DEFAULT_EXPIRE_MINUTES, MAX_EXPIRE_MINUTES, MIN_EXPIRE_MINUTES
from .usernames import normalized_username


class LoginSerializer(V3Serializer):
    username = TextField(max_length=150)
    password = TextField(max_length=128, trim_whitespace=False)
    expire = WholeNumberField(
        required=False,
        default=DEFAULT_EXPIRE_MINUTES,
        min_value=MIN_EXPIRE_MINUTES,
        max_value=MAX_EXPIRE_MINUTES,
    )


class CredentialsSerializer(V3Serializer):
    """A username and a password to set. With DEBUG off the password must pass the password
    policy (Django's validators); with DEBUG on, as in a demo, any non-empty one is taken."""

    username = TextField(max_length=150)
    password = TextField(max_length=128, trim_whitespace=False)

    def validate_username(self, value):
        value = normalized_username(value)
        try:
            ASCIIUsernameValidator()(value)
        except DjangoValidationError:
            raise serializers.ValidationError(usernames.ALLOWED) from None
        return value

    def validate(self, data):
        if not settings.DEBUG:
            user = get_user_model()(username=data["username"])
            try:
                validate_password(data["password"], user)
            except DjangoValidationError as problem:
                raise serializers.ValidationError(
                    {"password": " ".join(problem.messages)}
                ) from None
        return data
