"""The serializers' quick path must give exactly the serializer's answer whenever it answers."""

import contextlib

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from accounts.serializers import CredentialsSerializer, LoginSerializer
from instruments.serializers import (
    PairSerializer,
    PairUpdateSerializer,
    SymbolField,
    TickerSerializer,
)
from pairsapi.api.fast_validation import Unsure, compile_quick_path, validated_body
from pairsapi.api.fields import (
    BooleanOptionField,
    BrokerMessageField,
    FlagField,
    NumberField,
    TextField,
    WholeNumberField,
)
from pnl.serializers import SnapshotSerializer
from signals.serializers import (
    FillReportSerializer,
    NewSignalSerializer,
    OrderActionField,
    SignalUpdateSerializer,
)
from signals.tests.factories import alert

# An alert with values in the forms TradingView also sends.
ALERT = alert(order_action="BUY", order_contracts="603")
# A valid body per serializer; the property tests change a few of its values at random.
VALID = {
    NewSignalSerializer: ALERT,
    SignalUpdateSerializer: {"passphrase": "x", "rowid": 3, "order_status": "filled"},
    FillReportSerializer: {
        "passphrase": "x",
        "order_id": 7,
        "symbol": "ROIC",
        "price": 1.5,
        "filled_qty": 100,
    },
    TickerSerializer: {"symbol": "AAPL", "sectype": "STK", "active": 1},
    PairSerializer: {"ticker1": "NMFC", "ticker2": "ROIC", "hedge": "0.75", "status": 1},
    PairUpdateSerializer: {"hedge": 0.5, "status": 0, "notes": None},
    LoginSerializer: {"username": "trader", "password": "secret", "expire": 30},
    CredentialsSerializer: {"username": "trader", "password": "secret"},
    SnapshotSerializer: {"passphrase": "x", "NetLiquidation": 1000.5},
}

# Values of every kind a JSON body can carry, biased towards the edges the fields care about.
TEXTS = st.one_of(
    st.sampled_from(["", " ", "  x ", "buy", "SELL", "Buy ", "1", "-2", "1e3", "0.5", "nan"]),
    st.sampled_from(["inf", "true", "0", "x\x00y", "\ud800", "ÄÖ", "9" * 45, "a" * 201]),
    st.text(max_size=60),
)
VALUES = st.one_of(
    TEXTS,
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _typed(data):
    """Compare values with their types: 603 and 603.0 are equal in a dict, not on the wire."""
    return {key: (type(value), value) for key, value in data.items()}


def _serializer_answer(serializer_class, body):
    serializer = serializer_class(data=body)
    return serializer.validated_data if serializer.is_valid() else None


@pytest.mark.parametrize("serializer_class", list(VALID), ids=lambda c: c.__name__)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_quick_path_agrees_with_the_serializer(serializer_class, data):
    names = sorted({*serializer_class().fields, *VALID[serializer_class], "unknown"})
    changes = data.draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=3))
    dropped = data.draw(st.sets(st.sampled_from(names), max_size=2))
    body = {k: v for k, v in {**VALID[serializer_class], **changes}.items() if k not in dropped}
    expected = _serializer_answer(serializer_class, body)
    quick_path = compile_quick_path(serializer_class())
    answer = None
    if quick_path is not None:
        with contextlib.suppress(Unsure):
            answer = quick_path(body)
    event("quick path answered" if answer is not None else "serializer decided")
    if answer is not None:
        assert expected is not None, body
        assert _typed(answer) == _typed(expected), body
    if expected is not None:
        assert _typed(validated_body(serializer_class, body)) == _typed(expected)


@pytest.mark.parametrize(
    "serializer_class, body",
    [
        (NewSignalSerializer, ALERT),
        (NewSignalSerializer, {**ALERT, "order_comment": "Вход", "order_price": None}),
        (FillReportSerializer, VALID[FillReportSerializer]),
        (PairSerializer, VALID[PairSerializer]),
        (LoginSerializer, VALID[LoginSerializer]),
    ],
)
def test_everyday_bodies_take_the_quick_path(serializer_class, body):
    answer = compile_quick_path(serializer_class())(body)
    assert _typed(answer) == _typed(_serializer_answer(serializer_class, body))


@pytest.mark.parametrize(
    "changes",
    [{"order_action": "hold"}, {"ticker": " "}, {"order_contracts": 1.5}, {"mar_pos": "x" * 21}],
)
def test_errors_come_from_the_serializer(changes):
    body = {**ALERT, **changes}
    serializer = NewSignalSerializer(data=body)
    assert not serializer.is_valid()
    with pytest.raises(ValidationError) as raised:
        validated_body(NewSignalSerializer, body)
    assert raised.value.detail == serializer.errors


def test_the_property_tests_cover_every_field_type_the_quick_path_handles():
    covered = {type(field) for serializer in VALID for field in serializer().fields.values()}
    assert {
        TextField,
        BrokerMessageField,
        SymbolField,
        OrderActionField,
        NumberField,
        WholeNumberField,
        FlagField,
        BooleanOptionField,
    } <= covered
