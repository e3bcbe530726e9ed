from django.core.management.base import BaseCommand, CommandError

from safetynet.notify import Notification, configured_destinations, deliver


class Command(BaseCommand):
    help = "Send a test notification to every destination in NOTIFY_URLS and NOTIFY_EMAILS."

    def handle(self, *args, **options):
        if not configured_destinations():
            raise CommandError("no destination: set NOTIFY_URLS and/or NOTIFY_EMAILS.")
        outcomes = deliver(
            Notification(
                "Pairs-API test notification",
                "If you read this, the service can reach you here.",
            )
        )
        for name, delivered in outcomes:
            self.stdout.write(f"{name}: {'delivered' if delivered else 'FAILED'}")
        if not all(delivered for _, delivered in outcomes):
            raise CommandError("some destinations failed; see the log above.")
