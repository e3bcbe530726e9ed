from django.db import DatabaseError, connection
from django.http import JsonResponse

from pairsapi.middleware import database_unavailable_response


def api_route_not_found(request, *args, **kwargs):
    return JsonResponse({"message": f"no such route: {request.path}"}, status=404)


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
