"""The pages show times in the zone their reader chose, else DISPLAY_TIME_ZONE; Django's own
date filters follow it. The API keeps UTC."""

from django.utils import timezone

from pairsapi.display import display_zone, reading_in

from .selectors import chosen_time_zone


class DisplayZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/v3/"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        chosen = chosen_time_zone(user) if user is not None and user.is_authenticated else None
        with reading_in(chosen), timezone.override(display_zone()):
            return self.get_response(request)
