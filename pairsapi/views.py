from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from pairsapi.api.errors import route_not_found
from pairsapi.middleware import database_unavailable_response


# Exempt, or a POST to a mistyped path would get Django's HTML "CSRF verification failed" page.
@csrf_exempt
def api_route_not_found(request, *args, **kwargs):
    return route_not_found(request)


def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers and PaaS)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()
        return database_unavailable_response()
    return JsonResponse({"status": "ok", "database": "ok"})
