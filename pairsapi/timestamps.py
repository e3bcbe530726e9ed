"""Time as the service stores it, for models, services and the API alike."""

from datetime import UTC, datetime


def utc_now_to_second() -> datetime:
    """Stored timestamps are whole seconds, so the rendered form round-trips exactly."""
    return datetime.now(UTC).replace(microsecond=0)
