from django.urls import path
from django.views.generic import RedirectView

from . import pages

app_name = "signals"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="signals:dashboard", permanent=False)),
    path("dashboard", pages.dashboard, name="dashboard"),
    path("list", pages.signal_list, name="list"),
    path("signals", pages.signal_log, name="log"),
    path("signals.csv", pages.signal_log_csv, name="log_csv"),
    path("signals/<int:rowid>", pages.signal_detail, name="detail"),
    path("live/signals", pages.live_signals, name="live"),
    path("orders/new", pages.order, name="order"),
]
