import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairsapi.settings")

application = get_wsgi_application()

from pairsapi.checks import check_before_serving  # noqa: E402 (needs Django set up)

check_before_serving()
