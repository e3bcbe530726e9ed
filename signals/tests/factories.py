"""Test data for signals and alerts (factory_boy)."""

from typing import Any, cast

import factory

from signals.models import Signal


class AlertFactory(factory.DictFactory):
    """A TradingView alert as the README's template sends it, for the seed's pair."""

    passphrase = "webhook"
    ticker = "NMFC-0.75*NASDAQ:ROIC"
    order_action = "buy"
    order_contracts = 603
    order_price = 0.98
    mar_pos = "long"
    mar_pos_size = 603
    pre_mar_pos = "flat"
    pre_mar_pos_size = 0
    order_comment = "Enter Long"


class SignalFactory(factory.django.DjangoModelFactory):
    """A stored, waiting signal of the seed's pair."""

    class Meta:
        model = Signal

    ticker = "NMFC-0.75*ROIC"
    order_action = "buy"
    order_contracts = 603
    order_price = 0.98
    ticker_type = "pair"
    ticker1: Any = "NMFC"
    ticker2: str | None = "ROIC"
    hedge_param: float | None = 0.75
    order_status = "waiting"


class SingleSignalFactory(SignalFactory):
    """A stored, waiting signal of one ticker (AAPL unless ``ticker`` says otherwise)."""

    ticker = "AAPL"
    ticker_type = "single"
    ticker1 = factory.SelfAttribute("ticker")
    ticker2 = None
    hedge_param = None
    order_contracts = 100
    order_price = 400.2


def alert(**fields: Any) -> dict[str, Any]:
    """An alert body (a plain dict: factory_boy's DictFactory builds one)."""
    return cast(dict[str, Any], AlertFactory(**fields))


def make_signal(**fields):
    return SignalFactory(**fields)


def make_single(symbol="AAPL", **fields):
    return SingleSignalFactory(ticker=symbol, **fields)
