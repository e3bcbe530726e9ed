"""Where the service's notifications go: every Apprise URL in NOTIFY_URLS (Telegram, Slack,
Discord, Pushover, ntfy, JSON to a URL...) and Django's e-mail to NOTIFY_EMAILS.

Each destination is tried on a thread of its own, NOTIFY_ATTEMPTS times with a doubling pause
between tries, and every failure is logged: a destination that fails or hangs never stops or
delays the others, nor the caller beyond NOTIFY_DEADLINE_SECONDS.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import apprise
from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    title: str
    body: str
    # Apprise's types (info, success, warning, failure): chat services colour by them.
    severity: str = "info"


class AppriseDestination:
    def __init__(self, url: str):
        self.url = url
        # The log names the service, never the URL: it may hold a token.
        self.name = f"apprise:{url.split('://', 1)[0]}"

    def send(self, notification: Notification) -> bool:
        sender = apprise.Apprise()
        if not sender.add(self.url):
            logger.error("notification destination %s: not an Apprise URL", self.name)
            return False
        return bool(
            sender.notify(
                title=notification.title,
                body=notification.body,
                notify_type=notification.severity,
                # Plain text: each destination escapes it for its own format (markdown, HTML),
                # so nothing in a notification is read as markup.
                body_format=apprise.NotifyFormat.TEXT,
            )
        )


class EmailDestination:
    def __init__(self, recipients: list[str]):
        self.recipients = recipients
        self.name = "e-mail"

    def send(self, notification: Notification) -> bool:
        sent = send_mail(
            notification.title,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            self.recipients,
            fail_silently=False,
        )
        return sent > 0


def configured_destinations() -> list[AppriseDestination | EmailDestination]:
    destinations: list[AppriseDestination | EmailDestination] = [
        AppriseDestination(url) for url in settings.NOTIFY_URLS
    ]
    if settings.NOTIFY_EMAILS:
        destinations.append(EmailDestination(settings.NOTIFY_EMAILS))
    return destinations


def _send_with_retries(destination, notification: Notification) -> bool:
    pause = settings.NOTIFY_FIRST_RETRY_SECONDS
    for attempt in range(1, settings.NOTIFY_ATTEMPTS + 1):
        try:
            if destination.send(notification):
                return True
            problem = "refused"
        except Exception as error:  # a destination's failure must not reach the caller
            problem = f"{type(error).__name__}: {error}"
        logger.warning(
            "notification to %s failed (try %d of %d): %s",
            destination.name,
            attempt,
            settings.NOTIFY_ATTEMPTS,
            problem,
        )
        if attempt < settings.NOTIFY_ATTEMPTS:
            time.sleep(pause)
            pause *= 2
    logger.error("notification to %s given up: %s", destination.name, notification.title)
    return False


def deliver(notification: Notification, destinations=None) -> list[tuple[str, bool]]:
    """Send ``notification`` everywhere at once; returns (destination, delivered) in order
    (False also for one still trying at the deadline, which goes on in the background)."""
    destinations = configured_destinations() if destinations is None else destinations
    if not destinations:
        return []
    pool = ThreadPoolExecutor(max_workers=len(destinations), thread_name_prefix="notify")
    futures = {pool.submit(_send_with_retries, d, notification): d for d in destinations}
    done, _ = wait(futures, timeout=settings.NOTIFY_DEADLINE_SECONDS)
    pool.shutdown(wait=False)
    return [(futures[f].name, f in done and f.result()) for f in futures]
