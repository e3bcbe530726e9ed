from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json


class V3JSONParser(JSONParser):
    """DRF's JSON parser, reading the body in one piece (DRF's codecs stream reader cost a
    webhook more than the parse itself), and answering 400, not 500, for JSON nested too deeply
    to decode."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(stream.read().decode(encoding), parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None


class PlainTextJSONParser(V3JSONParser):
    """TradingView posts the alert message as text/plain; the message is JSON all the same."""

    media_type = "text/plain"
