"""The pages' session login and logout (the same users as the API)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .pages import account_page, login_page

app_name = "accounts"

urlpatterns = [
    path("login/", login_page, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account", account_page, name="account"),
]
