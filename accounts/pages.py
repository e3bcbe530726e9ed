"""The login forms of the pages and the admin, behind the shared login limit."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from pairsapi.api.throttles import client_address

from .login_limits import TooManyLoginAttempts, count_login_attempt


def _limited(login_view):
    """``login_view`` with every posted attempt counted; past the limit a 429 page answers."""

    @wraps(login_view)
    def view(request, *args, **kwargs):
        if request.method == "POST":
            try:
                count_login_attempt(
                    client_address=client_address(request),
                    username=request.POST.get("username", ""),
                )
            except TooManyLoginAttempts as refused:
                response = render(
                    request,
                    "registration/too_many_attempts.html",
                    {"wait_seconds": int(refused.wait_seconds) + 1},
                    status=429,
                )
                response["Retry-After"] = str(int(refused.wait_seconds) + 1)
                return response
        return login_view(request, *args, **kwargs)

    return view


login_page = _limited(auth_views.LoginView.as_view())
admin_login_page = _limited(admin.site.login)
