from django.contrib.auth import get_user_model

from .models import RevokedSession


def session_is_revoked(session_id):
    return RevokedSession.objects.filter(session_id=session_id).exists()


def active_user(user_id):
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def user_by_username(username):
    return get_user_model().objects.filter(username=username).first()


def usernames(number):
    users = get_user_model().objects.order_by("-pk")
    if number:
        users = users[:number]
    return [user.username for user in users]
