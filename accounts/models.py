from django.conf import settings
from django.db import models


class RevokedSession(models.Model):
    """A logged-out login session: every token minted from it is refused.

    Kept in the database so a logout holds on every worker process and across restarts.
    Rows are pruned once no token of the session can still be unexpired.
    """

    session_id = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.session_id


class DisplayPreference(models.Model):
    """How a person reads times on the pages: the zone chosen on the account page (the
    DISPLAY_TIME_ZONE setting when none is chosen)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="display_preference"
    )
    time_zone = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.user} reads times in {self.time_zone}"
