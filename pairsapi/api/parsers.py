from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class V3JSONParser(JSONParser):
    """DRF's JSON parser, with a 400 instead of a 500 for JSON nested too deeply to decode."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None


class PlainTextJSONParser(V3JSONParser):
    """TradingView posts the alert message as text/plain; the message is JSON all the same."""

    media_type = "text/plain"
