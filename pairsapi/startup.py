"""Checks made when a production server starts."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

logger = logging.getLogger(__name__)

DEFAULT_USERNAMES = ("admin", "user1")


def users_with_demo_password():
    users = get_user_model().objects.filter(username__in=DEFAULT_USERNAMES)
    return [u.username for u in users if check_password(settings.DEMO_PASSWORD, u.password)]


def refuse_demo_passwords():
    """In production, refuse to serve while a default user still has the demo password."""
    if settings.DEBUG or settings.ALLOW_DEMO_SECRETS:
        return
    try:
        users = users_with_demo_password()
    except DatabaseError as error:
        logger.warning("could not check the default users' passwords: %s", error)
        return
    if users:
        raise ImproperlyConfigured(
            f"user(s) {', '.join(users)} still have the documented demo password '123'. "
            "Change it (manage.py changepassword), or set ALLOW_DEMO_SECRETS=1."
        )


def refuse_missing_static_manifest():
    """With hashed static file names (production), refuse to serve before ``collectstatic`` has
    written the manifest: every page would otherwise fail, one 500 at a time."""
    if (
        isinstance(staticfiles_storage, ManifestFilesMixin)
        and not staticfiles_storage.read_manifest()
    ):
        raise ImproperlyConfigured(
            f"no static files manifest in STATIC_ROOT ({settings.STATIC_ROOT}): run "
            "'python manage.py collectstatic --noinput' before starting the server "
            "(the Procfile does), or set STATIC_MANIFEST=0 to serve them unhashed."
        )


def check_before_serving():
    """What a server process checks before it answers anything (WSGI and ASGI alike)."""
    refuse_missing_static_manifest()
    refuse_demo_passwords()
