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
    path("signals/<int:rowid>/release", pages.release, name="release"),
    path("signals/<int:rowid>/cancel", pages.cancel, name="cancel"),
    path("risk/halt", pages.halt, name="halt"),
    path("risk/resume", pages.resume, name="resume"),
    path("risk/flatten", pages.flatten, name="flatten"),
]
