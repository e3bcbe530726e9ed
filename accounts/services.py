from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from pairsapi.display import is_zone
from pairsapi.domain import NotFound, RuleViolated

from . import usernames
from .models import DisplayPreference, RevokedSession
from .tokens import refresh_lifetime
from .usernames import UsernameRefused, check_new_username, normalized_username


def log_in(*, username: str, password: str) -> AbstractBaseUser | None:
    """The user for these credentials, or None."""
    return authenticate(username=username, password=password)


@transaction.atomic
def revoke_session(*, session_id: str) -> None:
    """Log a session out everywhere, and forget sessions whose tokens have all expired."""
    now = timezone.now()
    RevokedSession.objects.filter(expires_at__lt=now).delete()
    RevokedSession.objects.get_or_create(
        session_id=session_id, defaults={"expires_at": now + refresh_lifetime()}
    )


def register_user(*, username: str, password: str) -> AbstractBaseUser:
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
def upsert_user(*, username: str, password: str) -> tuple[AbstractBaseUser, bool]:
    """Set the password of the user of that name (in any case), or create the user. Returns
    (user, created). A request that loses the race to create the user updates it instead."""
    users = get_user_model().objects.select_for_update()
    username = normalized_username(username)
    user = users.filter(username__iexact=username).first()
    if user is None:
        try:
            with transaction.atomic():
                return register_user(username=username, password=password), True
        except RuleViolated:
            user = users.filter(username__iexact=username).first()
            if user is None:
                raise
    user.set_password(password)
    user.save(update_fields=["password"])
    return user, False


@transaction.atomic
def delete_user(*, username: str) -> None:
    deleted, _ = get_user_model().objects.filter(username=username).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def choose_time_zone(*, user: AbstractBaseUser, time_zone: str) -> DisplayPreference:
    """Show the pages to ``user`` in ``time_zone`` (an IANA name such as Europe/Paris)."""
    if not is_zone(time_zone):
        raise RuleViolated(f"'{time_zone}' is not a time zone; pick one such as Europe/Paris.")
    preference, _ = DisplayPreference.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone}
    )
    return preference
