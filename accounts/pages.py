"""The login forms of the pages and the admin, behind the shared login limit, and the reader's
own settings."""

from functools import wraps
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from pairsapi.api.throttles import client_address
from pairsapi.display import display_zone
from pairsapi.domain import DomainError

from .login_limits import TooManyLoginAttempts, count_login_attempt
from .services import choose_time_zone


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


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Show times in")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in sorted(available_timezones())]


@login_required
def account_page(request):
    """The reader's own settings: the time zone every page shows times in."""
    saved = False
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            try:
                choose_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
            except DomainError as refused:
                form.add_error("time_zone", str(refused))
            else:
                return redirect(f"{reverse('accounts:account')}?saved=1")
    else:
        form = TimeZoneForm(initial={"time_zone": display_zone().key})
        saved = request.GET.get("saved") == "1"
    return render(
        request,
        "registration/account.html",
        {
            "form": form,
            "saved": saved,
            "zone": display_zone().key,
            "default_zone": settings.DISPLAY_TIME_ZONE,
        },
        status=400 if form.errors else 200,
    )
