from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from pairsapi.api.fields import TextField, V3Serializer, WholeNumberField

from .tokens import DEFAULT_EXPIRE_MINUTES, MAX_EXPIRE_MINUTES, MIN_EXPIRE_MINUTES


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
    username = TextField(max_length=150)
    password = TextField(max_length=128, trim_whitespace=False)

    def validate_username(self, value):
        try:
            UnicodeUsernameValidator()(value)
        except DjangoValidationError:
            raise serializers.ValidationError(
                "'username' may hold only letters, digits and @ . + - _"
            ) from None
        return value
