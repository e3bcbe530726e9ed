"""The JSON the views build (``*_json``) and the shapes the API description declares
(``pairsapi.api.openapi``) are written apart: they must agree, key for key and type for type."""

import jsonschema
import pytest

from instruments.serializers import pair_json, ticker_json
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.api import openapi
from pnl.models import AccountSnapshot
from pnl.serializers import snapshot_json
from signals.serializers import signal_json
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db


def as_json_schema(schema):
    """OpenAPI 3.0's ``nullable`` written as JSON Schema, so jsonschema can check it."""
    if isinstance(schema, dict):
        converted = {key: as_json_schema(value) for key, value in schema.items()}
        if converted.pop("nullable", False):
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
            converted["type"] = [converted["type"], "null"]
        if converted.get("type") == "object":
            converted.setdefault("additionalProperties", False)
        return converted
    return schema


def _examples():
    ticker = TickerFactory(symbol="EUR.USD", sectype="CASH", active=True, active_pos=5)
    pair = PairFactory(ticker1="A", ticker2="B", hedge=0.75, notes=None)
    pair_with_notes = PairFactory(ticker1="C", ticker2="D", hedge=2, notes="x")
    yield openapi.TICKER, ticker_json(ticker)
    yield openapi.PAIR, pair_json(pair)
    yield openapi.PAIR, pair_json(pair_with_notes)
    yield openapi.SIGNAL, signal_json(make_signal(order_id1=7, price1=12.6, filled_qty1=603))
    yield openapi.SIGNAL, signal_json(make_single(order_price=None, ticker_type=None))
    yield openapi.SNAPSHOT, snapshot_json(AccountSnapshot.objects.create())
    yield openapi.SNAPSHOT, snapshot_json(AccountSnapshot.objects.create(net_liquidation=62588))


def test_every_json_shape_matches_its_description():
    for schema, body in _examples():
        jsonschema.validate(body, as_json_schema(schema))
        assert list(body) == list(schema["properties"]), "same keys, in the same order"


def test_the_check_would_see_a_key_the_description_lacks():
    body = {**ticker_json(TickerFactory(symbol="X")), "extra": 1}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, as_json_schema(openapi.TICKER))
