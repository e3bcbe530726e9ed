from django.urls import path

from .pages import watchlist

app_name = "watch"

urlpatterns = [
    path("watchlist", watchlist, name="watchlist"),
]
