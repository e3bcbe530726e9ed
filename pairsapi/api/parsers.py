from rest_framework.parsers import JSONParser


class PlainTextJSONParser(JSONParser):
    """TradingView posts the alert message as text/plain; the message is JSON all the same."""

    media_type = "text/plain"
