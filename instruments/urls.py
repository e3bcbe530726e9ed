from django.urls import path

from .views import PairViewSet, PriceViewSet, TickerViewSet

app_name = "instruments"

urlpatterns = [
    path("regticker", TickerViewSet.as_view({"post": "create", "put": "upsert"}), name="regticker"),
    # Before ticker/<symbol>, so that "updatepnl" is not read as a symbol.
    path(
        "ticker/updatepnl",
        TickerViewSet.as_view({"put": "update_position"}),
        name="ticker-updatepnl",
    ),
    path("tickers/<str:number_of_items>", TickerViewSet.as_view({"get": "newest"}), name="tickers"),
    path(
        "ticker/<str:symbol>",
        TickerViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="ticker",
    ),
    path("price", PriceViewSet.as_view({"post": "create"}), name="price"),
    path("price/<str:ticker>", PriceViewSet.as_view({"get": "newest"}), name="price-newest"),
    path("regpair", PairViewSet.as_view({"post": "create", "put": "update"}), name="regpair"),
    path("pairs/<str:number_of_items>", PairViewSet.as_view({"get": "newest"}), name="pairs"),
    path(
        "pair/<str:name>",
        PairViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="pair",
    ),
]
