"""A quick path through a v3 serializer for the commonest body: a JSON object whose every value is
plainly valid.

DRF validates a field through several layers of calls plus three validators per text field (one
of them a Python loop over every character); for a TradingView alert that was a tenth of the
webhook's time. The quick path checks each value with the field's own conversion and C-speed
tests for what the validators look for. Whenever it cannot vouch for a value (a wrong type, a
blank or too long text, a NUL, a conversion that fails...) it gives up and the serializer
decides, so every error, and every unusual value, still comes from DRF itself. A property test
holds the quick path to the serializer's answer on every field type it handles
(``pairsapi/tests/test_fast_validation.py``).

Why keep it: measured in one ``make bench`` run each (2 gunicorn workers, wrk, PostgreSQL), the
webhook ran at 0.918 of the insert-only baseline with the quick path and at 0.857 without it,
under the 0.9 the service is held to. Each field is one small ``step``; the serializer stays the
authority.
"""

import re
from collections.abc import Callable

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.fields import SkipField, empty
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .fields import FlagField, NumberField, TextField

_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")
_TEXT_VALIDATORS = (
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)


class Unsure(Exception):
    """The quick path cannot vouch for a value: the serializer decides."""


def _text_check(field):
    convert, max_length, trim = field.to_internal_value, field.max_length, field.trim_whitespace
    if any(not isinstance(v, _TEXT_VALIDATORS) for v in field.validators) or field.min_length:
        return None

    def check(value):
        if type(value) is not str or _NUL_OR_SURROGATE.search(value):
            raise Unsure
        if not (value.strip() if trim else value):
            if field.allow_blank:
                return ""
            raise Unsure
        converted = convert(value)
        if max_length is not None and len(converted) > max_length:
            raise Unsure
        return converted

    return check


def _conversion_check(field, types):
    """For fields whose conversion does all their checking (numbers, flags: no validators)."""
    if field.validators:
        return None
    convert = field.to_internal_value

    def check(value):
        if type(value) not in types:
            raise Unsure
        return convert(value)

    return check


def _field_check(field):
    if isinstance(field, TextField):
        return _text_check(field)
    if isinstance(field, NumberField):
        return _conversion_check(field, (int, float, str))
    if isinstance(field, FlagField):
        return _conversion_check(field, (int, str, bool))
    return None


_LEFT_OUT = object()


def _field_step(field, check, custom):
    """``step(body)``: the field's validated value, or _LEFT_OUT when it is absent and has no
    default; raises Unsure whenever the serializer might answer otherwise."""
    name, required, allow_null = field.field_name, field.required, field.allow_null

    def step(body):
        value = body.get(name, empty)
        if value is empty:
            if required:
                raise Unsure
            try:
                value = field.get_default()
            except SkipField:
                return _LEFT_OUT
        elif value is None:
            if not allow_null:
                raise Unsure
        else:
            value = check(value)
        return custom(value) if custom else value

    return step


def compile_quick_path(serializer):
    """``check(body) -> validated data`` for a bound serializer, raising Unsure when it cannot
    vouch for the body; None when the serializer uses something the quick path does not know."""
    if serializer.validators or serializer.partial:
        return None
    steps = []
    for field in serializer.fields.values():
        if field.read_only:
            continue
        check = _field_check(field)
        if check is None or len(field.source_attrs) != 1:
            return None
        custom = getattr(serializer, f"validate_{field.field_name}", None)
        steps.append((field.source, _field_step(field, check, custom)))
    validate = serializer.validate

    def quick_path(body):
        if type(body) is not dict:
            raise Unsure
        data = {}
        try:
            for source, step in steps:
                value = step(body)
                if value is not _LEFT_OUT:
                    data[source] = value
            return validate(data)
        except serializers.ValidationError:
            raise Unsure from None

    return quick_path


_quick_paths: dict[type, Callable | None] = {}


def validated_body(serializer_class, body):
    """``serializer_class``'s validated data for ``body``: by the quick path when it can vouch for
    the body, else by the serializer (which raises the ValidationError)."""
    try:
        quick_path = _quick_paths[serializer_class]
    except KeyError:
        quick_path = _quick_paths[serializer_class] = compile_quick_path(serializer_class())
    if quick_path is not None:
        try:
            return quick_path(body)
        except Unsure:
            pass
    serializer = serializer_class(data=body)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
