from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import MethodNotAllowed

from pairsapi.api.errors import route_not_found, v3_error_response
from pairsapi.counters import redis_status
from pairsapi.middleware import database_unavailable_response


# Exempt, or a POST to a mistyped path would get Django's HTML "CSRF verification failed" page.
@csrf_exempt
def api_route_not_found(request, *args, **kwargs):
    return route_not_found(request)


# The split view serves Swagger UI's start-up script as a file of its own: no inline script.
_swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="v3:schema")


@csrf_exempt
def api_docs(request, *args, **kwargs):
    """Swagger UI, a page on purpose; any other method than reading it gets the JSON 405 (the
    UI's own view would answer an HTML error)."""
    if request.method in ("GET", "HEAD"):
        return _swagger_ui(request, *args, **kwargs)
    response = v3_error_response(MethodNotAllowed(request.method), request)
    response["Allow"] = "GET, HEAD"
    return response


def healthz(request):
    """Each dependency's state, for load balancers and PaaS: 503 only when the database does not
    answer; a Redis that is down makes the service ``degraded`` (counters fall back to the
    database), not unavailable."""
    redis = redis_status()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()
        return database_unavailable_response(status="down", database="down", redis=redis)
    status = "degraded" if redis == "down" else "ok"
    return JsonResponse({"status": status, "database": "ok", "redis": redis})
