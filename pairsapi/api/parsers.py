"""Request body parsers for /v3/: JSON however it is labelled, read as the existing clients send it.

- TradingView posts the alert as ``text/plain``; curl's ``-d`` labels JSON as a form; some
  scripts send no ``Content-Type`` at all. A body that is JSON is read as JSON in every case.
- The pairs-ibkr bridge sometimes wraps a value in a one-element list (``"order_status":
  ["canceled"]``: it built a tuple), and the original read it as the value. Every v3 body is an
  object of scalars, so a one-element list at the top level is unwrapped here, once for every
  route; an empty or longer list still reaches the fields, which refuse it.
"""

from django.conf import settings
from django.http import QueryDict
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.utils import json


def unwrap_singletons(data):
    """``{"key": [value]}`` read as ``{"key": value}``, for the top level of an object."""
    if type(data) is dict:
        for key, value in data.items():
            if type(value) is list and len(value) == 1:
                data[key] = value[0]
    return data


def _encoding(parser_context):
    return (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)


def _keep_raw(parser_context, raw):
    """Leave the raw body on the request: a refused one is logged as it was sent."""
    request = (parser_context or {}).get("request")
    if request is not None:
        request.raw_body = raw


def _looks_like_json(raw):
    return raw.lstrip()[:1] in (b"{", b"[")


class V3JSONParser(JSONParser):
    """DRF's JSON parser, reading the body in one piece (DRF's codecs stream reader cost a
    webhook more than the parse itself), answering 400, not 500, for JSON nested too deeply to
    decode, and unwrapping one-element lists."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        _keep_raw(parser_context, raw)
        return self.parse_bytes(raw, parser_context)

    def parse_bytes(self, raw, parser_context):
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(raw.decode(_encoding(parser_context)), parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
        return unwrap_singletons(data)


class PlainTextJSONParser(V3JSONParser):
    """TradingView posts the alert message as text/plain; the message is JSON all the same."""

    media_type = "text/plain"


class FormOrJSONParser(FormParser):
    """A form body, unless it is JSON: ``curl -d '{...}'`` labels JSON as a form."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        _keep_raw(parser_context, raw)
        if _looks_like_json(raw):
            return V3JSONParser().parse_bytes(raw, parser_context)
        return QueryDict(raw, encoding=_encoding(parser_context))


class UnlabelledJSONParser(V3JSONParser):
    """A body sent with no ``Content-Type`` at all is read as JSON; a body labelled with a type
    no other parser takes is refused (415), as before."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        if media_type:
            raise UnsupportedMediaType(media_type)
        return super().parse(stream, media_type, parser_context)
