import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils import timezone

from safetynet.notify import deliver
from safetynet.services import note_watchdog_check
from safetynet.watch import check_once

logger = logging.getLogger("safetynet.watchdog")


class Command(BaseCommand):
    help = (
        "Watch the trading loop and notify (NOTIFY_URLS, NOTIFY_EMAILS) when it breaks: signals "
        "the bridge has not taken, signals the checks refused, orders not filled. Runs until "
        "stopped; checks every WATCHDOG_INTERVAL seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args, once=False, **options):
        try:
            self.watch(once)
        except KeyboardInterrupt:  # Ctrl-C on make run stops the watchdog with the server
            self.stdout.write("watchdog: stopped")

    def watch(self, once):
        from django.conf import settings

        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write(f"watchdog: checking every {settings.WATCHDOG_INTERVAL} s")
        while not stopping:
            try:
                now = timezone.now()
                notification = check_once(now)
                note_watchdog_check(at=now)
                if notification is not None:
                    self.stdout.write(notification.title)
                    deliver(notification)
            except DatabaseError as error:  # the database comes back; the watchdog stays
                logger.warning("watchdog check failed: %s", error)
                connection.close()
            if once:
                return
            time.sleep(settings.WATCHDOG_INTERVAL)
