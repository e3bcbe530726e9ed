from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from accounts.pages import admin_login_page
from pairsapi.api.errors import json_or_html
from pairsapi.views import api_docs, api_route_not_found, healthz

# No two patterns overlap; the hot routes (the webhook, the bridge's poll) come first because
# Django tries the patterns in order on every request.
v3_patterns: list[URLPattern | URLResolver] = [
    path("", include("signals.urls")),
    path("", include("pnl.urls")),
    path("", include("instruments.urls")),
    path("", include("accounts.urls")),
    path("schema", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs", api_docs, name="docs"),
    # Unknown /v3/ paths answer JSON even with DEBUG on (Django's debug 404 page is HTML).
    re_path(r"^.*$", api_route_not_found),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the admin's own URLs: its login form shares the one login limit.
    path("admin/login/", admin_login_page),
    path("admin/", admin.site.urls),
    path("v3/", include((v3_patterns, "v3"))),
    # The pages: each app routes its own.
    path("", include("signals.page_urls")),
    path("", include("pnl.page_urls")),
    path("", include("instruments.page_urls")),
    path("", include("safetynet.page_urls")),
    path("", include("accounts.page_urls")),
]

if settings.BENCH_BASELINE:
    from signals.baseline import insert_only

    urlpatterns.insert(0, path("bench/insert", insert_only))

handler400 = json_or_html("bad_request")
handler403 = json_or_html("permission_denied")
handler404 = json_or_html("page_not_found")
handler500 = json_or_html("server_error")
