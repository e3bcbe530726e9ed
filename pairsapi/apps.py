from django.apps import AppConfig


class PairsApiConfig(AppConfig):
    name = "pairsapi"
    verbose_name = "Pairs-API"
