"""``manage.py import_v3``: the users of an original v3 database, their passwords hashed."""

from collections import Counter

from django.contrib.auth import get_user_model

from pairsapi.v3source import as_text

from .usernames import normalized_username


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
