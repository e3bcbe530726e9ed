"""Serializer fields for the v3 bodies: numbers may arrive as JSON numbers or numeric strings,
messages name the field, and nothing that a JSON body can hold makes them raise."""

import math
from datetime import UTC

from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

# Migrations name the default of the timestamp columns here; it lives with the time helpers.
from pairsapi.timestamps import utc_now_to_second  # noqa: F401

# Anything beyond these magnitudes is a typo or an attack, not a position or a price.
MAX_ABS_NUMBER = 1e15
MAX_ABS_INTEGER = 2**53


def empty_message(name):
    return f"'{name}' cannot be empty!"


class NamedErrorsMixin:
    """Fill the field name into error messages once the field is bound to its serializer."""

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        name = self.source if self.source and self.source != "*" else field_name
        self.error_messages = {**self.error_messages, **self.named_messages(name)}

    def named_messages(self, name):
        return {
            "required": empty_message(name),
            "null": empty_message(name),
            "blank": empty_message(name),
            "invalid": self.invalid_message(name),
            "max_length": f"'{name}' must be at most {{max_length}} characters.",
            "min_value": f"'{name}' must be at least {{min_value}}.",
            "max_value": f"'{name}' must be at most {{max_value}}.",
            "invalid_choice": f"'{name}' must be one of: {{choices}}.",
        }

    def invalid_message(self, name):
        return f"'{name}' is not valid."


class NumberField(NamedErrorsMixin, serializers.Field):
    """A finite number, given as a JSON number or a numeric string."""

    def __init__(self, *, min_value=None, max_value=None, exclusive_min=False, **kwargs):
        self.min_value = min_value
        self.max_value = max_value
        self.exclusive_min = exclusive_min
        super().__init__(**kwargs)

    def invalid_message(self, name):
        return f"'{name}' must be a number."

    def convert(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, str):
            data = data.strip()
            if not data or len(data) > 40:
                self.fail("invalid")
        try:
            value = float(data)
        except (TypeError, ValueError, OverflowError):
            self.fail("invalid")
        if not math.isfinite(value) or abs(value) > MAX_ABS_NUMBER:
            self.fail("invalid")
        return value

    def to_internal_value(self, data):
        value = self.convert(data)
        if self.min_value is not None:
            too_small = value <= self.min_value if self.exclusive_min else value < self.min_value
            if too_small:
                word = "greater than" if self.exclusive_min else "at least"
                raise serializers.ValidationError(
                    f"'{self.field_name}' must be {word} {self.min_value:g}."
                )
        if self.max_value is not None and value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return value

    def to_representation(self, value):
        return value


class WholeNumberField(NumberField):
    """An integer; ``"100"``, ``100`` and ``100.0`` are all 100, ``100.5`` is refused."""

    def invalid_message(self, name):
        return f"'{name}' must be an integer."

    def convert(self, data):
        value = super().convert(data)
        if not value.is_integer() or abs(value) > MAX_ABS_INTEGER:
            self.fail("invalid")
        return int(value)


class FlagField(NamedErrorsMixin, serializers.Field):
    """0/1 on the wire (``active``, ``status``); true/false and "0"/"1" are accepted too."""

    TRUE = {1, "1", "true", "True"}
    FALSE = {0, "0", "false", "False"}

    def invalid_message(self, name):
        return f"'{name}' must be 0 or 1."

    def to_internal_value(self, data):
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        try:
            if data in self.TRUE:
                return True
            if data in self.FALSE:
                return False
        except TypeError:  # unhashable: a list or an object
            pass
        self.fail("invalid")

    def to_representation(self, value):
        return int(bool(value))


class BooleanOptionField(FlagField):
    """A switch in a request body such as ``update_pnl`` or ``cancel``."""

    def invalid_message(self, name):
        return f"'{name}' must be true or false."

    def to_representation(self, value):
        return bool(value)


class TextField(NamedErrorsMixin, serializers.CharField):
    """A string; numbers are accepted and kept as text, objects and lists are refused."""

    def invalid_message(self, name):
        return f"'{name}' must be a string."

    def to_internal_value(self, data):
        if isinstance(data, (dict, list, bool)):
            self.fail("invalid")
        return super().to_internal_value(data)


class BrokerMessageField(TextField):
    """Free text a broker bridge passes on (its warnings, its notes): kept up to ``keep``
    characters and cut beyond, never refused, so the order ids sent beside it are stored."""

    def __init__(self, *, keep, **kwargs):
        self.keep = keep
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data)[: self.keep]


def render_timestamp(value):
    """``YYYY-MM-DD HH:MM:SS`` in UTC; isoformat pads every year to four digits (strftime writes
    year 1 as ``1``, which would not read back)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "seconds")


class TimestampField(NamedErrorsMixin, serializers.Field):
    """``YYYY-MM-DD HH:MM:SS`` in UTC on the wire; ISO 8601, fractions and zones accepted."""

    def invalid_message(self, name):
        return f"'{name}' must be a date and time like 2024-01-31 14:05:00."

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            value = parse_datetime(data.strip())
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
            raise serializers.ValidationError(
                f"'{self.field_name}' is out of range: in UTC it must fall in the years 1 to 9999."
            ) from None

    def to_representation(self, value):
        return render_timestamp(value)


class V3Serializer(serializers.Serializer):
    """Base of the v3 request serializers.

    The fields are bound once per class and shared by every instance: DRF copies and binds
    every field per instance, which was most of a webhook's validation time (134 µs of an
    alert's validation before, 51 µs after, measured in process). Every body the quick path
    (``fast_validation``) cannot vouch for, and every error, goes through these fields.
    Validation leaves a bound field unchanged, so sharing is safe as long as no field depends on
    the serializer's context or on partial updates; the v3 serializers take neither.
    """

    def __init__(self, *args, **kwargs):
        if kwargs.get("context") or kwargs.get("partial"):
            raise TypeError("v3 serializers share their fields: no context, no partial updates.")
        super().__init__(*args, **kwargs)

    @property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            prototype = cls()
            shared = BindingDict(prototype)
            for name, field in prototype.get_fields().items():
                shared[name] = field
            cls._shared_fields = shared
        return shared


class PassphraseBodySerializer(V3Serializer):
    """A body of a passphrase route. The passphrase is checked by ``PassphraseRequired`` before
    validation; it is declared here so the API description shows it, and dropped from the data."""

    passphrase = TextField(max_length=200, write_only=True, trim_whitespace=False)

    def validate(self, data):
        data.pop("passphrase", None)
        return data
