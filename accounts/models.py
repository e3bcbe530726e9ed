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
