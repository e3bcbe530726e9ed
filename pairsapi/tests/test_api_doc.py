"""docs/api.md names every route the service routes, with each of its methods."""

import re
from pathlib import Path

from django.conf import settings

from pairsapi.testing import v3_routes

API_DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
# The doc's short names for path parameters.
PARAMETER_NAMES = {"number_of_items": "n", "order_status": "status"}


def _documented(route):
    return re.sub(r"<str:(\w+)>", lambda m: f"<{PARAMETER_NAMES.get(m[1], m[1])}>", route)


def test_every_route_and_method_is_in_the_api_doc():
    text = API_DOC.read_text()
    # "`GET pair/<name>`", "`POST`/`PUT regpair`": a method, then the route in the same row.
    rows = [line for line in text.splitlines() if line.startswith("|") or line.startswith("#")]
    missing = []
    for route, methods in v3_routes():
        documented = _documented(route)
        if route in ("schema", "docs"):
            if f"/v3/{route}" not in text:
                missing.append(route)
            continue
        for method in methods:
            if not any(
                f"{documented}`" in row and re.search(rf"`{method.upper()}[ `]", row)
                for row in rows
            ):
                missing.append(f"{method.upper()} {documented}")
    assert missing == []
