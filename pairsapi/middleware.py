import logging

from django.http import JsonResponse

logger = logging.getLogger("pairsapi.errors")


class ApiServerErrorMiddleware:
    """An unexpected error under /v3/ answers JSON, never Django's HTML (debug) page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/v3/"):
            return None
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return JsonResponse({"message": "internal server error."}, status=500)
