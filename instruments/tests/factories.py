"""Test data for tickers and pairs (factory_boy)."""

import factory

from instruments.models import Pair, Ticker


class TickerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticker

    symbol = factory.Sequence(lambda n: f"T{n}")


class PairFactory(factory.django.DjangoModelFactory):
    """The seed's pair, NMFC against 0.75 × ROIC, unless told otherwise; passive by default."""

    class Meta:
        model = Pair

    ticker1 = "NMFC"
    ticker2 = "ROIC"
    hedge = 0.75
    name = factory.LazyAttribute(lambda pair: Pair.name_for(pair.ticker1, pair.ticker2))
