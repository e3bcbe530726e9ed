"""The OpenAPI description of the v3 routes (drf-spectacular).

The views map paths onto actions by hand and shape their JSON with plain functions, so the
bodies are described here once, as JSON Schema, and attached to the actions with ``v3_doc``.
Every operation also documents the contract's error answers.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema

NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
STRING = {"type": "string"}
FLAG = {"type": "integer", "enum": [0, 1]}
TIMESTAMP = {"type": "string", "example": "2022-05-27 00:24:17"}


def nullable(schema):
    return {**schema, "nullable": True}


def obj(properties, required=None):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def listing(key, item, **extra):
    return obj({key: {"type": "array", "items": item}, **extra})


MESSAGE = obj({"message": STRING})
ERROR = {
    "type": "object",
    "properties": {
        "message": {
            "oneOf": [STRING, {"type": "object", "additionalProperties": STRING}],
            "description": "what is wrong; per field for a validation error",
        },
        "error": {
            "type": "string",
            "enum": [
                "authorization_required",
                "token_invalid",
                "token_expired",
                "token_revoked",
                "fresh_token_required",
                "passphrase_invalid",
            ],
        },
        "retry_after": nullable(STRING),
    },
    "required": ["message"],
}
TICKER = obj(
    {
        "symbol": STRING,
        "sectype": {"type": "string", "enum": ["STK", "CASH", "CRYPTO"]},
        "xch": STRING,
        "prixch": STRING,
        "currency": STRING,
        "order_type": STRING,
        "active": FLAG,
        "active_pos": NUMBER,
        "active_pnl": NUMBER,
        "active_cost": NUMBER,
    }
)
PAIR = obj(
    {
        "name": STRING,
        "ticker1": STRING,
        "ticker2": STRING,
        "hedge": NUMBER,
        "status": FLAG,
        "notes": nullable(STRING),
    }
)
SIGNAL = obj(
    {
        "rowid": INTEGER,
        "timestamp": TIMESTAMP,
        "ticker": STRING,
        "order_action": {"type": "string", "enum": ["buy", "sell"]},
        "order_contracts": INTEGER,
        "order_price": nullable(NUMBER),
        "mar_pos": nullable(STRING),
        "mar_pos_size": nullable(INTEGER),
        "pre_mar_pos": nullable(STRING),
        "pre_mar_pos_size": nullable(INTEGER),
        "order_comment": STRING,
        "order_status": STRING,
        "ticker_type": nullable({"type": "string", "enum": ["single", "pair"]}),
        "ticker1": nullable(STRING),
        "ticker2": nullable(STRING),
        "hedge_param": nullable(NUMBER),
        "order_id1": nullable(INTEGER),
        "order_id2": nullable(INTEGER),
        "price1": nullable(NUMBER),
        "price2": nullable(NUMBER),
        "fill_price": nullable(NUMBER),
        "slip": nullable(NUMBER),
        "error_msg": nullable(STRING),
        "status_msg": nullable(STRING),
        "filled_qty1": NUMBER,
        "filled_qty2": NUMBER,
        "missed_alert": nullable(STRING),
    }
)
# The broker's keys, in the contract's order; the three PnL figures are -1 when unknown.
_SNAPSHOT_FIGURES = (
    "AvailableFunds",
    "BuyingPower",
    "DailyPnL",
    "GrossPositionValue",
    "MaintMarginReq",
    "NetLiquidation",
    "RealizedPnL",
    "UnrealizedPnL",
)
SNAPSHOT = obj(
    {
        "rowid": INTEGER,
        "timestamp": TIMESTAMP,
        **{key: NUMBER if key.endswith("PnL") else nullable(NUMBER) for key in _SNAPSHOT_FIGURES},
    }
)
USERNAME = obj({"username": STRING})
LOGIN_TOKENS = obj({"access_token": STRING, "refresh_token": STRING, "expire": INTEGER})
REFRESHED_TOKENS = obj({"access_token": STRING, "refresh_token": STRING})

NUMBER_OF_ITEMS = OpenApiParameter(
    "number_of_items",
    str,
    OpenApiParameter.PATH,
    pattern="^[0-9]+$",
    description="0 for all, else the newest N (capped at 5 without a token on optional-token "
    "lists, 20 on the waiting list)",
)

ERROR_CODES = (400, 401, 403, 404, 405, 413, 415, 429, 500, 503)


def v3_doc(summary, request=None, responses=None, parameters=None):
    """Describe one v3 action; who may call it comes from its permission classes."""
    if isinstance(responses, dict) and "type" in responses:
        responses = {200: responses}  # a bare schema is the 200 answer
    return extend_schema(
        summary=summary, request=request, responses=responses, parameters=parameters
    )


def add_error_responses(result, generator, request, public):
    """Every operation may answer the contract's error shape."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code in ERROR_CODES:
                responses.setdefault(
                    str(code),
                    {
                        "description": "error",
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["jwtAuth"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    schemes["passphraseHeader"] = {"type": "apiKey", "in": "header", "name": "X-Passphrase"}
    return result


class NumberFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "pairsapi.api.fields.NumberField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "number", "description": "a number, or a numeric string"}


class WholeNumberFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "pairsapi.api.fields.WholeNumberField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "integer", "description": "an integer, or an integral numeric string"}


class FlagFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "pairsapi.api.fields.FlagField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "integer", "minimum": 0, "maximum": 1}


class BooleanOptionFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "pairsapi.api.fields.BooleanOptionField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "boolean"}


class TimestampFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "pairsapi.api.fields.TimestampField"

    def map_serializer_field(self, auto_schema, direction):
        return TIMESTAMP


class OrderActionFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "signals.serializers.OrderActionField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": ["buy", "sell"], "description": "case is ignored"}


class V3AutoSchema(AutoSchema):
    """Groups operations by the viewset's ``openapi_tag`` (tokens, users, tickers, ...), not by
    the first path segment, and documents who may call an action from its permission classes
    (the last one declared is the strictest), with an ``x-v3-auth`` extension a test holds to
    the real behaviour."""

    def get_tags(self):
        tag = getattr(self.view, "openapi_tag", None)
        return [tag] if tag else super().get_tags()

    def _permission(self):
        declared = getattr(self.view, "action_permissions", {}).get(self.view.action, ())
        return declared[-1] if declared else None

    def get_auth(self):
        permission = self._permission()
        return list(permission.openapi_security) if permission else []

    def get_description(self):
        permission = self._permission()
        return permission.openapi_note if permission else "Anyone may call it."

    def get_extensions(self):
        permission = self._permission()
        return {"x-v3-auth": permission.openapi_auth if permission else "none"}
