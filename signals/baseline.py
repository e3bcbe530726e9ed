"""The benchmark's yardstick: a view that does nothing but insert one signal row.

Routed only when BENCH_BASELINE=1, so `make bench` can compare the webhook with the cost of the
one write it cannot avoid.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Signal


@csrf_exempt
@require_POST
def insert_only(request):
    Signal.objects.create(ticker="BASE", order_action="buy", order_contracts=1)
    return JsonResponse({"message": "inserted"}, status=201)
