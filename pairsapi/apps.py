from django.apps import AppConfig


class PairsApiConfig(AppConfig):
    name = "pairsapi"
    verbose_name = "Pairs-API"

    def ready(self):
        from pairsapi import checks  # noqa: F401 (registers the system checks)
        from pairsapi.api import openapi  # noqa: F401 (registers the schema field extensions)
