from django.urls import path

from . import pages

app_name = "health"

urlpatterns = [
    path("setup", pages.setup, name="setup"),
    path("setup/notify", pages.test_notification, name="notify"),
]
