"""The errors services raise, free of HTTP: the API's exception handler turns them into v3
answers (``pairsapi.api.errors``) and the admin into form errors and messages."""

ITEM_NOT_FOUND = "item not found."


class DomainError(Exception):
    """A request the domain refuses; ``str()`` is the message a person reads."""

    default_message = ""

    def __init__(self, message: str | None = None):
        super().__init__(message if message is not None else self.default_message)


class NotFound(DomainError):
    """The ticker, pair, signal, snapshot or user named does not exist."""

    default_message = ITEM_NOT_FOUND


class RuleViolated(DomainError):
    """A trading rule or a uniqueness rule refuses the change."""


class DuplicateAlert(DomainError):
    """An alert whose ``alert_id`` was already stored within the dedupe window."""

    def __init__(self, rowid: int | None):
        super().__init__(f"duplicate alert: already stored as {rowid}.")
        self.rowid = rowid
