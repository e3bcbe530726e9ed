from django.urls import path

from .views import SnapshotViewSet

app_name = "pnl"

urlpatterns = [
    path("regpnl", SnapshotViewSet.as_view({"post": "create", "put": "update"}), name="regpnl"),
    path("pnl/<str:number_of_items>", SnapshotViewSet.as_view({"get": "newest"}), name="pnl"),
]
