from django.http import JsonResponse


def api_route_not_found(request, *args, **kwargs):
    return JsonResponse({"message": f"no such route: {request.path}"}, status=404)
