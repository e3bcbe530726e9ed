from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from .models import DisplayPreference, RevokedSession


def session_is_revoked(session_id: str) -> bool:
    return RevokedSession.objects.filter(session_id=session_id).exists()


def active_user(user_id: int | str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def user_by_username(username: str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(username=username).first()


def usernames(number: int) -> list[str]:
    users = get_user_model().objects.order_by("-pk")
    if number:
        users = users[:number]
    return [user.get_username() for user in users]


def chosen_time_zone(user: AbstractBaseUser) -> str | None:
    """The zone the user chose for the pages, if any."""
    return (
        DisplayPreference.objects.filter(user_id=user.pk)
        .values_list("time_zone", flat=True)
        .first()
    )
