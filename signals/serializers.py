from rest_framework import serializers

from pairsapi.api.fields import (
    BooleanOptionField,
    BrokerMessageField,
    NumberField,
    PassphraseBodySerializer,
    TextField,
    TimestampField,
    WholeNumberField,
    empty_message,
    render_timestamp,
)

from .expressions import MAX_EXPRESSION_LENGTH


def _quantity(value):
    return int(value) if float(value).is_integer() else value


def signal_json(signal):
    return {
        "rowid": signal.rowid,
        "timestamp": render_timestamp(signal.timestamp),
        "ticker": signal.ticker,
        "order_action": signal.order_action,
        "order_contracts": signal.order_contracts,
        "order_price": signal.order_price,
        "mar_pos": signal.mar_pos,
        "mar_pos_size": signal.mar_pos_size,
        "pre_mar_pos": signal.pre_mar_pos,
        "pre_mar_pos_size": signal.pre_mar_pos_size,
        "order_comment": signal.order_comment,
        "order_status": signal.order_status,
        "ticker_type": signal.ticker_type,
        "ticker1": signal.ticker1,
        "ticker2": signal.ticker2,
        "hedge_param": signal.hedge_param,
        "order_id1": signal.order_id1,
        "order_id2": signal.order_id2,
        "price1": signal.price1,
        "price2": signal.price2,
        "fill_price": signal.fill_price,
        "slip": signal.slip,
        "error_msg": signal.error_msg,
        "status_msg": signal.status_msg,
        "filled_qty1": _quantity(signal.filled_qty1),
        "filled_qty2": _quantity(signal.filled_qty2),
        "missed_alert": signal.missed_alert,
    }


class OrderActionField(TextField):
    """``buy`` or ``sell``; TradingView's case varies with the strategy, so case is ignored."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data).lower()
        if value not in ("buy", "sell"):
            raise serializers.ValidationError(f"'{self.field_name}' must be 'buy' or 'sell'.")
        return value


def optional_text(max_length):
    return TextField(max_length=max_length, required=False, allow_null=True, allow_blank=True)


# Two broker warnings made 281 characters; the original kept any length.
BROKER_MESSAGE_LENGTH = 4000


def broker_message():
    return BrokerMessageField(
        keep=BROKER_MESSAGE_LENGTH, required=False, allow_null=True, allow_blank=True
    )


class SignalFieldsSerializer(PassphraseBodySerializer):
    """The fields a client may write on a signal, all optional (PUT /v3/webhook)."""

    ticker = TextField(max_length=MAX_EXPRESSION_LENGTH, required=False)
    order_action = OrderActionField(required=False)
    order_contracts = WholeNumberField(min_value=1, required=False)
    order_price = NumberField(required=False, allow_null=True)
    mar_pos = optional_text(20)
    mar_pos_size = WholeNumberField(required=False, allow_null=True)
    pre_mar_pos = optional_text(20)
    pre_mar_pos_size = WholeNumberField(required=False, allow_null=True)
    order_comment = TextField(
        max_length=200, required=False, allow_blank=True, trim_whitespace=False
    )
    order_status = TextField(max_length=40, required=False)
    status_msg = broker_message()
    error_msg = broker_message()
    bypass_ticker_status = BooleanOptionField(required=False, default=False)


class NewSignalSerializer(SignalFieldsSerializer):
    """A TradingView alert (POST /v3/webhook)."""

    ticker = TextField(max_length=MAX_EXPRESSION_LENGTH)
    order_action = OrderActionField()
    order_contracts = WholeNumberField(min_value=1)
    order_comment = TextField(
        max_length=200, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    order_status = TextField(max_length=40, required=False, default="waiting")
    # Optional: a replay of the same id within ALERT_DEDUPE_WINDOW seconds stores nothing.
    alert_id = TextField(max_length=100, required=False)


class SignalUpdateSerializer(SignalFieldsSerializer):
    """A signal as read, changed and sent back by a broker bridge (PUT /v3/webhook)."""

    rowid = WholeNumberField(min_value=1)
    timestamp = TimestampField(required=False)
    order_id1 = WholeNumberField(required=False, allow_null=True)
    order_id2 = WholeNumberField(required=False, allow_null=True)
    price1 = NumberField(required=False, allow_null=True)
    price2 = NumberField(required=False, allow_null=True)
    fill_price = NumberField(required=False, allow_null=True)
    slip = NumberField(required=False, allow_null=True)
    filled_qty1 = NumberField(required=False, min_value=0)
    filled_qty2 = NumberField(required=False, min_value=0)


class FillReportSerializer(PassphraseBodySerializer):
    """A broker bridge's fill report for one leg (PUT /v3/signal/updateorder)."""

    order_id = WholeNumberField()
    symbol = TextField(max_length=40, required=False)
    price = NumberField(required=False)
    filled_qty = NumberField(required=False)
    cancel = BooleanOptionField(required=False, default=False)

    def validate(self, data):
        data = super().validate(data)
        # A cancel ignores price and quantity (clients send -1); Postman's cancel omits the symbol.
        if data["cancel"]:
            return data
        errors = {}
        for name in ("symbol", "price", "filled_qty"):
            if name not in data:
                errors[name] = empty_message(name)
            elif name != "symbol" and data[name] < 0:
                errors[name] = f"'{name}' must be at least 0."
        if errors:
            raise serializers.ValidationError(errors)
        return data
