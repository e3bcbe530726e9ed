from django.apps import AppConfig


class SafetyNetConfig(AppConfig):
    name = "safetynet"
    verbose_name = "Safety net"
