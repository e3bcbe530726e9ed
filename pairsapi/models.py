from django.db import models


class ThrottleCounter(models.Model):
    """A throttle window's hits when the counters live in the database (no REDIS_URL).

    Django's database cache increments by reading and then writing the value, so workers that
    count at the same moment lose hits; one upsert on this table cannot.
    """

    name = models.CharField(max_length=250, primary_key=True)
    hits = models.BigIntegerField()
    expires = models.FloatField(db_index=True)  # Unix time; the window's key dies with it

    def __str__(self):
        return f"{self.name}: {self.hits}"
