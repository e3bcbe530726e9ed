"""The benchmark's yardstick: a view that does nothing but store the alert it is sent.

Routed only when BENCH_BASELINE=1. `make bench` posts it the same alert as the webhook, so both
read the same request and write the same row's fields; what the webhook costs beyond it is its
passphrase check, throttle, validation and registry check.
"""

import json

from django.db import IntegrityError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Signal

_STORED = {field.name for field in Signal._meta.concrete_fields} - {"rowid"}


@csrf_exempt
@require_POST
def insert_only(request):
    try:
        alert = json.loads(request.body)
        # Autocommit, as in the webhook: an atomic block would cost the yardstick a COMMIT.
        Signal.objects.create(**{key: alert[key] for key in _STORED & alert.keys()})
    except (ValueError, TypeError, AttributeError, IntegrityError):
        return JsonResponse({"message": "not an alert."}, status=400)
    return JsonResponse({"message": "inserted"}, status=201)
