from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from pairsapi.api.fields import (
    BooleanOptionField,
    FlagField,
    NumberField,
    PassphraseBodySerializer,
    TextField,
    TimestampField,
    V3Serializer,
    render_timestamp,
)

from .models import POSITION_FIELDS, SYMBOL_MAX_LENGTH, TICKER_FIELDS, Ticker, validate_symbol


def ticker_json(ticker):
    body = {name: getattr(ticker, name) for name in TICKER_FIELDS}
    body["active"] = int(ticker.active)  # 0/1 on the wire, not a boolean
    return body


def pair_json(pair):
    return {
        "name": pair.name,
        "ticker1": pair.ticker1,
        "ticker2": pair.ticker2,
        "hedge": pair.hedge,
        "status": int(pair.status),
        "notes": pair.notes,
    }


class SymbolField(TextField):
    """A broker symbol (``validate_symbol``)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=SYMBOL_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_symbol(value)
        except DjangoValidationError as problem:
            raise serializers.ValidationError(
                f"'{self.field_name}' {problem.messages[0]}"
            ) from None
        return value


class TickerSerializer(V3Serializer):
    """A ticker as POSTed or PUT to ``/v3/regticker``; absent keys are left out of the result."""

    symbol = SymbolField()
    sectype = serializers.ChoiceField(
        choices=Ticker.SecType.values,
        required=False,
        error_messages={"invalid_choice": "'sectype' must be one of: STK, CASH, CRYPTO."},
    )
    xch = TextField(max_length=20, required=False)
    prixch = TextField(max_length=20, required=False)
    currency = TextField(max_length=10, required=False)
    order_type = TextField(max_length=20, required=False)
    active = FlagField(required=False)
    active_pos = NumberField(required=False)
    active_pnl = NumberField(required=False)
    active_cost = NumberField(required=False)
    update_pnl = BooleanOptionField(required=False, default=False)

    def validate(self, data):
        """The position figures count only with ``"update_pnl": true`` (the bridge reports them
        through ``ticker/updatepnl``; a trader's edit must not overwrite them by accident)."""
        if not data.pop("update_pnl"):
            for name in POSITION_FIELDS:
                data.pop(name, None)
        return data


class TickerPositionSerializer(PassphraseBodySerializer):
    """A position report; the bridge may leave out any of the three figures."""

    symbol = SymbolField()
    active_pos = NumberField(required=False)
    active_pnl = NumberField(required=False)
    active_cost = NumberField(required=False)


class PairSerializer(V3Serializer):
    # Legs are ticker symbols: a leg with a slash could never be read or deleted by name.
    ticker1 = SymbolField()
    ticker2 = SymbolField()
    hedge = NumberField(min_value=0, exclusive_min=True)
    status = FlagField(required=False, default=False)
    notes = TextField(max_length=1000, required=False, allow_null=True, allow_blank=True)


class PairUpdateSerializer(V3Serializer):
    name = TextField(max_length=2 * SYMBOL_MAX_LENGTH + 1)
    hedge = NumberField(min_value=0, exclusive_min=True, required=False)
    status = FlagField(required=False)
    notes = TextField(max_length=1000, required=False, allow_null=True, allow_blank=True)


class PriceSerializer(PassphraseBodySerializer):
    """A price for the watchlist: a ticker's, or a pair's spread written as in TradingView."""

    ticker = TextField(max_length=100)
    price = NumberField()
    time = TimestampField(required=False)


def price_json(tick):
    return {
        "instrument": tick.instrument,
        "price": tick.price,
        "time": render_timestamp(tick.at),
    }
