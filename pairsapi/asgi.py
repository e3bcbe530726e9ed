import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairsapi.settings")

application = get_asgi_application()

from pairsapi.checks import check_before_serving  # noqa: E402 (needs Django set up)

check_before_serving()
