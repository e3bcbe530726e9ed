"""The rules a server must meet before it serves, as Django system checks, so that
``manage.py check --deploy``, every WSGI and every ASGI process (``check_before_serving``) apply
the same ones. The production-only rules are deployment checks; they do not stop ``migrate`` or
``collectstatic``, which a release runs before the server starts.
"""

import logging
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from accounts.defaults import DEFAULT_USERS, DEMO_PASSWORD

logger = logging.getLogger(__name__)

ALLOW_DEMO_SECRETS_HINT = "or set ALLOW_DEMO_SECRETS=1 to run with the demo secrets anyway."


@checks.register(checks.Tags.security)
def passphrase_is_set(app_configs=None, **kwargs):
    if settings.WEBHOOK_PASSPHRASE.strip():
        return []
    return [
        checks.Error(
            "WEBHOOK_PASSPHRASE is empty: every alert would be refused.",
            hint="Set the passphrase your TradingView alerts and your bridge send.",
            id="pairsapi.E001",
        )
    ]


# A generated key (secrets.token_urlsafe(50)) holds about 40 different characters; a key of
# fewer than this was typed, or repeats itself.
KEY_VARIETY = 16


def _weak_key(key: str) -> str:
    """Why a signing key is too easily guessed ("" when it is not)."""
    if not key:
        return "is not set"
    if key == settings.DEVELOPMENT_SECRET_KEY:
        return "is the development key written in this project's settings"
    if key.startswith("django-insecure-"):
        return "is a key Django's startproject generated for development (django-insecure-)"
    if len(key) < 50 or len(set(key)) < KEY_VARIETY:
        return (
            f"is too weak: production needs at least 50 characters with at least {KEY_VARIETY} "
            "different ones"
        )
    return ""


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_strong(app_configs=None, **kwargs):
    """A key anyone can know or guess forges admin tokens: production refuses the project's
    development key, Django's development keys and keys of little variety."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        key = ""
    problem = "" if settings.DEBUG else _weak_key(key)
    if not problem:
        return []
    return [
        checks.Error(
            f"SECRET_KEY {problem}.",
            hint="python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="pairsapi.E002",
        )
    ]


def _demo_secrets_allowed():
    return settings.DEBUG or settings.ALLOW_DEMO_SECRETS


@checks.register(checks.Tags.security, deploy=True)
def no_demo_secrets_in_the_environment(app_configs=None, **kwargs):
    if _demo_secrets_allowed():
        return []
    errors = []
    if settings.WEBHOOK_PASSPHRASE == settings.DEMO_PASSPHRASE:
        errors.append(
            checks.Error(
                "WEBHOOK_PASSPHRASE is still the documented demo value 'webhook'.",
                hint=f"Set your own, {ALLOW_DEMO_SECRETS_HINT}",
                id="pairsapi.E003",
            )
        )
    for _, variable, _ in DEFAULT_USERS:
        if os.environ.get(variable) == DEMO_PASSWORD:
            errors.append(
                checks.Error(
                    f"{variable} is the documented demo password '{DEMO_PASSWORD}'.",
                    hint=f"Choose another, {ALLOW_DEMO_SECRETS_HINT}",
                    id="pairsapi.E004",
                )
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def no_default_user_keeps_the_demo_password(app_configs=None, **kwargs):
    if _demo_secrets_allowed():
        return []
    usernames = [username for username, _, _ in DEFAULT_USERS]
    try:
        users = list(get_user_model().objects.filter(username__in=usernames))
    except DatabaseError as error:  # not migrated yet, or not reachable: nothing to refuse
        logger.warning("could not check the default users' passwords: %s", error)
        return []
    demo = [u.username for u in users if check_password(DEMO_PASSWORD, u.password)]
    if not demo:
        return []
    return [
        checks.Error(
            f"user(s) {', '.join(demo)} still have the documented demo password '{DEMO_PASSWORD}'.",
            hint=f"Change it (manage.py changepassword), {ALLOW_DEMO_SECRETS_HINT}",
            id="pairsapi.E005",
        )
    ]


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_manifest_is_collected(app_configs=None, **kwargs):
    """Hashed static file names need collectstatic's manifest; without it every page fails."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.read_manifest():
        return []
    return [
        checks.Error(
            f"no static files manifest in STATIC_ROOT ({settings.STATIC_ROOT}).",
            hint="Run 'python manage.py collectstatic --noinput' before starting the server "
            "(the Procfile does), or set STATIC_MANIFEST=0 to serve them unhashed.",
            id="pairsapi.E006",
        )
    ]


def check_before_serving():
    """Run the system checks (the deployment ones too, in production) and refuse to serve on
    any error: WSGI and ASGI call this before they answer anything."""
    messages = checks.run_checks(include_deployment_checks=not settings.DEBUG)
    errors = [m for m in messages if m.is_serious() and not m.is_silenced()]
    for message in messages:
        if message not in errors:
            logger.warning("%s", message)
    if errors:
        raise ImproperlyConfigured(
            "refusing to serve:\n" + "\n".join(f"- {error}" for error in errors)
        )
