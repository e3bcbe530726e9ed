from rest_framework import status
from rest_framework.response import Response

from pairsapi.api.errors import ItemNotFound
from pairsapi.api.listing import parse_number_of_items
from pairsapi.api.permissions import (
    FreshAdminTokenRequired,
    FreshTokenRequired,
    PassphraseRequired,
)
from pairsapi.api.views import V3ViewSet

from . import selectors, services
from .serializers import (
    PairSerializer,
    PairUpdateSerializer,
    TickerPositionSerializer,
    TickerSerializer,
    pair_json,
    ticker_json,
)


class TickerViewSet(V3ViewSet):
    action_permissions = {
        "create": [FreshTokenRequired],
        "upsert": [FreshTokenRequired],
        "destroy": [FreshAdminTokenRequired],
        "update_position": [PassphraseRequired],
    }

    def list(self, request, number_of_items):
        number = parse_number_of_items(number_of_items)
        return Response({"tickers": [ticker_json(t) for t in selectors.newest_tickers(number)]})

    def retrieve(self, request, symbol):
        ticker = selectors.ticker_by_symbol(symbol)
        if ticker is None:
            raise ItemNotFound()
        return Response(ticker_json(ticker))

    def create(self, request):
        services.register_ticker(self.validated(TickerSerializer))
        return Response(
            {"message": "'ticker' created successfully."}, status=status.HTTP_201_CREATED
        )

    def upsert(self, request):
        ticker, created = services.upsert_ticker(self.validated(TickerSerializer))
        if created:
            return Response(
                {"message": "'ticker' created successfully."}, status=status.HTTP_201_CREATED
            )
        return Response(ticker_json(ticker))

    def update_position(self, request):
        ticker = services.record_ticker_position(**self.validated(TickerPositionSerializer))
        return Response(ticker_json(ticker))

    def destroy(self, request, symbol):
        services.delete_ticker(symbol)
        return Response({"message": "'ticker' deleted successfully."})


class PairViewSet(V3ViewSet):
    action_permissions = {
        "create": [FreshTokenRequired],
        "update": [FreshTokenRequired],
        "destroy": [FreshAdminTokenRequired],
    }

    def list(self, request, number_of_items):
        number = parse_number_of_items(number_of_items)
        return Response({"pairs": [pair_json(p) for p in selectors.newest_pairs(number)]})

    def retrieve(self, request, name):
        pair = selectors.pair_by_name(name)
        if pair is None:
            raise ItemNotFound()
        return Response(pair_json(pair))

    def create(self, request):
        services.register_pair(**self.validated(PairSerializer))
        return Response({"message": "'pair' created successfully."}, status=status.HTTP_201_CREATED)

    def update(self, request):
        data = dict(self.validated(PairUpdateSerializer))
        pair = services.update_pair(data.pop("name"), **data)
        return Response(pair_json(pair))

    def destroy(self, request, name):
        services.delete_pair(name)
        return Response({"message": "'pair' deleted successfully."})
