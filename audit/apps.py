from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import triggers

        connection_created.connect(triggers.name_the_actor_on, dispatch_uid="audit_actor")
        # Migrations may rebuild an audited table (SQLite does, to alter a column), which would
        # drop or break its triggers: they come off before migrating and go back on after.
        pre_migrate.connect(triggers.on_pre_migrate, sender=self, dispatch_uid="audit_off")
        post_migrate.connect(triggers.on_post_migrate, sender=self, dispatch_uid="audit_on")
