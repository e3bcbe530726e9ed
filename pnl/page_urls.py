from django.urls import path

from .pages import positions

app_name = "pnl"

urlpatterns = [
    path("positions", positions, name="positions"),
]
