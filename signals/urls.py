from django.urls import path

from .views import RiskViewSet, SignalViewSet, WebhookViewSet

app_name = "signals"

urlpatterns = [
    path("webhook", WebhookViewSet.as_view({"post": "create", "put": "update"}), name="webhook"),
    # Before signal/<rowid>, so that "updateorder" is not read as a rowid.
    path(
        "signal/updateorder",
        WebhookViewSet.as_view({"put": "record_fill"}),
        name="signal-updateorder",
    ),
    # Before signals/<number_of_items>, which would take "stream" for a number.
    path("signals/stream", SignalViewSet.as_view({"get": "stream"}), name="signals-stream"),
    path("signals/<str:number_of_items>", SignalViewSet.as_view({"get": "newest"}), name="signals"),
    path(
        "signals/ticker/<str:ticker>/<str:number_of_items>",
        SignalViewSet.as_view({"get": "list_for_ticker"}),
        name="signals-ticker",
    ),
    path(
        "signals/status/<str:order_status>/<str:number_of_items>",
        SignalViewSet.as_view({"get": "list_with_status"}),
        name="signals-status",
    ),
    path("risk", RiskViewSet.as_view({"get": "retrieve", "put": "update"}), name="risk"),
    path("halt", RiskViewSet.as_view({"post": "halt"}), name="halt"),
    path("resume", RiskViewSet.as_view({"post": "resume"}), name="resume"),
    path(
        "signal/<str:rowid>/release",
        RiskViewSet.as_view({"post": "release"}),
        name="signal-release",
    ),
    path(
        "signal/<str:rowid>/cancel", RiskViewSet.as_view({"post": "cancel"}), name="signal-cancel"
    ),
    path(
        "signal/<str:rowid>",
        SignalViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="signal",
    ),
]
