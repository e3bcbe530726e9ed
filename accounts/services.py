from collections import Counter

from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from pairsapi.domain import NotFound, RuleViolated
from pairsapi.v3source import as_text

from . import usernames
from .models import RevokedSession
from .tokens import refresh_lifetime
from .usernames import UsernameRefused, check_new_username, normalized_username


def log_in(username, password):
    """The user for these credentials, or None."""
    return authenticate(username=username, password=password)


@transaction.atomic
def revoke_session(session_id):
    """Log a session out everywhere, and forget sessions whose tokens have all expired."""
    now = timezone.now()
    RevokedSession.objects.filter(expires_at__lt=now).delete()
    RevokedSession.objects.get_or_create(
        session_id=session_id, defaults={"expires_at": now + refresh_lifetime()}
    )


def register_user(username, password):
    """Create a user; refused when the name is taken in any case (``usernames``)."""
    try:
        username = check_new_username(username)
        with transaction.atomic():
            return get_user_model().objects.create_user(username=username, password=password)
    except UsernameRefused as refused:
        raise RuleViolated(str(refused)) from None
    except IntegrityError:  # created meanwhile by a concurrent request
        raise RuleViolated(usernames.TAKEN) from None


@transaction.atomic
def upsert_user(username, password):
    """Set the password of the user of that name (in any case), or create the user. Returns
    (user, created). A request that loses the race to create the user updates it instead."""
    users = get_user_model().objects.select_for_update()
    username = normalized_username(username)
    user = users.filter(username__iexact=username).first()
    if user is None:
        try:
            with transaction.atomic():
                return register_user(username, password), True
        except RuleViolated:
            user = users.filter(username__iexact=username).first()
            if user is None:
                raise
    user.set_password(password)
    user.save(update_fields=["password"])
    return user, False


@transaction.atomic
def delete_user(username):
    deleted, _ = get_user_model().objects.filter(username=username).delete()
    if not deleted:
        raise NotFound()


def import_v3_users(rows):
    """Create the users of a v3 database, hashing the plain-text passwords it kept.

    A user that already exists here is left as it is: its password may have been changed since.
    """
    User = get_user_model()
    counts = Counter()
    for row in rows:
        username = as_text(row.get("username"))
        password = as_text(row.get("password"))
        if not username or len(username) > 150 or not password:
            counts["skipped"] += 1
            continue
        if User.objects.filter(username__iexact=normalized_username(username)).exists():
            counts["kept"] += 1  # the same user, or one whose name differs only in case
            continue
        is_admin = username == "admin"  # v3 made 'admin' its only administrator
        User.objects.create_user(
            username=username, password=password, is_staff=is_admin, is_superuser=is_admin
        )
        counts["created"] += 1
    return counts
