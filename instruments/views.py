from rest_framework import status
from rest_framework.response import Response

from pairsapi.api.errors import ItemNotFound
from pairsapi.api.listing import parse_number_of_items
from pairsapi.api.openapi import (
    MESSAGE,
    NUMBER,
    NUMBER_OF_ITEMS,
    PAIR,
    STRING,
    TICKER,
    listing,
    obj,
    v3_doc,
)
from pairsapi.api.permissions import (
    FreshAdminTokenRequired,
    FreshTokenRequired,
    PassphraseRequired,
)
from pairsapi.api.throttles import RegistryWriteThrottle
from pairsapi.api.views import V3ViewSet

from . import selectors, services
from .serializers import (
    PairSerializer,
    PairUpdateSerializer,
    PriceSerializer,
    TickerPositionSerializer,
    TickerSerializer,
    pair_json,
    price_json,
    ticker_json,
)

PRICE = obj({"instrument": STRING, "price": NUMBER, "time": STRING})


class TickerViewSet(V3ViewSet):
    openapi_tag = "tickers"

    action_permissions = {
        "create": [FreshTokenRequired],
        "upsert": [FreshTokenRequired],
        "destroy": [FreshAdminTokenRequired],
        "update_position": [PassphraseRequired],
    }
    action_throttles = {"create": [RegistryWriteThrottle], "upsert": [RegistryWriteThrottle]}

    @v3_doc("Tickers, newest first", None, listing("tickers", TICKER), [NUMBER_OF_ITEMS])
    def newest(self, request, number_of_items):
        number = parse_number_of_items(number_of_items)
        return Response({"tickers": [ticker_json(t) for t in selectors.newest_tickers(number)]})

    @v3_doc("One ticker", None, TICKER)
    def retrieve(self, request, symbol):
        ticker = selectors.ticker_by_symbol(symbol)
        if ticker is None:
            raise ItemNotFound()
        return Response(ticker_json(ticker))

    @v3_doc("Register a ticker", TickerSerializer, {201: MESSAGE})
    def create(self, request):
        services.register_ticker(**self.validated(TickerSerializer))
        return Response(
            {"message": "'ticker' created successfully."}, status=status.HTTP_201_CREATED
        )

    @v3_doc(
        "Update a ticker, or register it",
        TickerSerializer,
        {200: TICKER, 201: MESSAGE},
    )
    def upsert(self, request):
        ticker, created = services.upsert_ticker(**self.validated(TickerSerializer))
        if created:
            return Response(
                {"message": "'ticker' created successfully."}, status=status.HTTP_201_CREATED
            )
        return Response(ticker_json(ticker))

    @v3_doc(
        "Record a ticker's position, PNL and cost",
        TickerPositionSerializer,
        TICKER,
    )
    def update_position(self, request):
        ticker = services.record_ticker_position(**self.validated(TickerPositionSerializer))
        return Response(ticker_json(ticker))

    @v3_doc("Delete a ticker", None, {200: MESSAGE})
    def destroy(self, request, symbol):
        services.delete_ticker(symbol=symbol)
        return Response({"message": "'ticker' deleted successfully."})


class PairViewSet(V3ViewSet):
    openapi_tag = "pairs"

    action_permissions = {
        "create": [FreshTokenRequired],
        "update": [FreshTokenRequired],
        "destroy": [FreshAdminTokenRequired],
    }
    action_throttles = {"create": [RegistryWriteThrottle], "update": [RegistryWriteThrottle]}

    @v3_doc("Pairs, newest first", None, listing("pairs", PAIR), [NUMBER_OF_ITEMS])
    def newest(self, request, number_of_items):
        number = parse_number_of_items(number_of_items)
        return Response({"pairs": [pair_json(p) for p in selectors.newest_pairs(number)]})

    @v3_doc("One pair", None, PAIR)
    def retrieve(self, request, name):
        pair = selectors.pair_by_name(name)
        if pair is None:
            raise ItemNotFound()
        return Response(pair_json(pair))

    @v3_doc("Register a pair", PairSerializer, {201: MESSAGE})
    def create(self, request):
        services.register_pair(**self.validated(PairSerializer))
        return Response({"message": "'pair' created successfully."}, status=status.HTTP_201_CREATED)

    @v3_doc("Update a pair's hedge, status and notes", PairUpdateSerializer, PAIR)
    def update(self, request):
        data = dict(self.validated(PairUpdateSerializer))
        pair = services.update_pair(**data)
        return Response(pair_json(pair))

    @v3_doc("Delete a pair", None, {200: MESSAGE})
    def destroy(self, request, name):
        services.delete_pair(name=name)
        return Response({"message": "'pair' deleted successfully."})


class PriceViewSet(V3ViewSet):
    """``/v3/price``: prices for the watchlist, with the passphrase (TradingView, the bridge)."""

    openapi_tag = "prices"
    action_permissions = {"create": [PassphraseRequired]}
    # TradingView sends prices with the passphrase too: a price is not a sign of the bridge.
    alert_actions = ("create",)

    @v3_doc(
        "Record a price of a ticker or a pair's spread (a bar-close alert)",
        PriceSerializer,
        {201: PRICE},
    )
    def create(self, request):
        tick = services.record_price(**self.validated(PriceSerializer))
        return Response(price_json(tick), status=status.HTTP_201_CREATED)

    @v3_doc(
        "The newest price of a ticker or a pair's spread (the paper broker's market)", None, PRICE
    )
    def newest(self, request, ticker):
        tick = selectors.newest_price(services.instrument_priced(ticker))
        if tick is None:
            raise ItemNotFound()
        return Response(price_json(tick))
