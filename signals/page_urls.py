from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from accounts.pages import login_page
from pnl.pages import positions

from . import pages

urlpatterns = [
    path("", RedirectView.as_view(url="/dashboard", permanent=False)),
    path("dashboard", pages.dashboard, name="dashboard"),
    path("list", pages.signal_list, name="signal-list"),
    path("positions", positions, name="positions"),
    path("login/", login_page, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
