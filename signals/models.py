from django.db import models
from django.db.models import Q

from pairsapi.actors import PASSPHRASE, SERVICE, current_actor
from pairsapi.timestamps import utc_now_to_second

# The waiting list the broker bridge polls: `waiting` and `rerouted` signals.
WAITING_STATUSES = ("waiting", "rerouted")


class Signal(models.Model):
    """One order request, usually a TradingView alert, and what became of it at the broker."""

    rowid = models.BigAutoField(primary_key=True)
    timestamp = models.DateTimeField(default=utc_now_to_second)
    ticker = models.CharField("expression", max_length=100)
    order_action = models.CharField(max_length=4, choices=[("buy", "buy"), ("sell", "sell")])
    order_contracts = models.BigIntegerField()
    order_price = models.FloatField(null=True, blank=True)
    mar_pos = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    mar_pos_size = models.BigIntegerField(null=True, blank=True)
    pre_mar_pos = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    pre_mar_pos_size = models.BigIntegerField(null=True, blank=True)
    order_comment = models.TextField(default="", blank=True)
    order_status = models.CharField(max_length=40, default="waiting")
    # Derived from the expression: single / pair (null when the expression is problematic).
    ticker_type = models.CharField(max_length=12, null=True, blank=True)  # noqa: DJ001
    ticker1 = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    ticker2 = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    hedge_param = models.FloatField(null=True, blank=True)
    order_id1 = models.BigIntegerField(null=True, blank=True)
    order_id2 = models.BigIntegerField(null=True, blank=True)
    price1 = models.FloatField(null=True, blank=True)
    price2 = models.FloatField(null=True, blank=True)
    filled_qty1 = models.FloatField("leg 1 filled", default=0)
    filled_qty2 = models.FloatField("leg 2 filled", default=0)
    fill_price = models.FloatField(null=True, blank=True)
    slip = models.FloatField(null=True, blank=True)
    error_msg = models.TextField(null=True, blank=True)  # noqa: DJ001
    status_msg = models.TextField(null=True, blank=True)  # noqa: DJ001
    # Set by the watchdog when this alert's market position "before" is not the previous alert's
    # "after" for the same ticker or pair: an alert was lost in between. Says what did not match.
    missed_alert = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    # Who stored it (passphrase, user:<name>, staff:<name>, service): a signal's first entry in
    # the audit trail, kept on the row itself so that an alert's INSERT writes nothing more.
    created_by = models.CharField(
        max_length=150, default=current_actor, db_default=SERVICE, editable=False
    )
    # When a fill report completed it (the console's time from alert to fill); not in the API.
    filled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The alert's message as the webhook received it, passphrase masked (the console's signal
    # page); not in the API. Null for signals no alert made, and for those stored before it.
    alert_message = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    # The signal stream's cursor: numbered by the database when the signal is stored and each
    # time its status changes (see signals/changes_sql.py); never written by Python.
    change_seq = models.BigIntegerField(db_default=0, editable=False)

    class Meta:
        ordering = ["-rowid"]
        indexes = [
            # signals/status/<status>/<n>: newest of one status.
            models.Index(fields=["order_status", "-rowid"], name="signal_status_idx"),
            # The bridge's poll: a small index of the few signals still waiting.
            models.Index(
                fields=["-rowid"],
                name="signal_waiting_idx",
                condition=Q(order_status__in=WAITING_STATUSES),
            ),
            # signals/ticker/<ticker>/<n>: a pair's or a single's history, newest first.
            models.Index(
                fields=["ticker1", "ticker2", "ticker_type", "-rowid"], name="signal_ticker_idx"
            ),
            # The dashboard's date ranges.
            models.Index(fields=["-timestamp"], name="signal_timestamp_idx"),
            # The console's log of one status, in time order: read from the index, not by
            # walking every newer signal of other statuses.
            models.Index(
                fields=["order_status", "-timestamp", "-rowid"], name="signal_status_time_idx"
            ),
            # The console's log of manual and API-made signals, newest first: alerts (the bulk)
            # are left out, so the webhook's inserts do not write it.
            models.Index(
                fields=["-timestamp", "-rowid"],
                name="signal_not_alert_idx",
                condition=~Q(created_by=PASSPHRASE),
            ),
            # The risk gate's max_position: an instrument's orders still waiting or at the
            # broker unfilled, however long its history.
            models.Index(
                fields=["ticker1", "ticker2", "ticker_type"],
                name="signal_pending_idx",
                condition=Q(order_status__in=("waiting", "rerouted", "created", "part.filled")),
            ),
            # updateorder finds a signal by a leg's broker order id.
            models.Index(fields=["order_id1"], name="signal_order_id1_idx"),
            models.Index(fields=["order_id2"], name="signal_order_id2_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(order_action__in=["buy", "sell"]), name="signal_order_action_known"
            ),
        ]

    def __str__(self):
        return f"#{self.rowid} {self.order_action} {self.order_contracts} {self.ticker}"


class AlertReceipt(models.Model):
    """An alert that carried an ``alert_id``: a second alert with the same id within
    ALERT_DEDUPE_WINDOW seconds is a replay (TradingView and e-mail copies of one alert) and
    stores nothing. The unique id is what makes two copies arriving at once give one row."""

    alert_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField()
    signal_rowid = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return self.alert_id


class RejectedRequest(models.Model):
    """A write to the webhook that was refused (wrong passphrase, bad JSON, bad fields), kept for
    staff: an alert lost to a typo in the alert message is found here. Refusals of the same kind
    from one address close together (a passphrase being guessed) are one row with a count."""

    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    client_address = models.CharField(max_length=64)
    route = models.CharField(max_length=100)
    reason = models.TextField()
    # The first refused body, the passphrase masked, cut at KEPT_BODY_CHARS.
    body = models.TextField(blank=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_seen"]
        indexes = [
            models.Index(
                fields=["client_address", "route", "-last_seen"], name="rejected_group_idx"
            )
        ]

    def __str__(self):
        return f"{self.route} from {self.client_address}: {self.reason[:60]}"


class SlippageHour(models.Model):
    """The slips of one ticker's or pair's signals of one action in one UTC hour, summed: the
    slippage page's averages and chart over a long range read these instead of every signal.
    Kept by database triggers on signals (signals/slippage_sql.py) whenever a signal's slip,
    time, instrument or action is set or changed; alerts arrive without a slip and add nothing."""

    ticker_type = models.CharField(max_length=12)
    ticker1 = models.CharField(max_length=40)
    ticker2 = models.CharField(max_length=40, blank=True)  # "" for a single
    hour = models.DateTimeField()
    order_action = models.CharField(max_length=4)
    slipped = models.BigIntegerField(default=0)
    slip_sum = models.FloatField(default=0)

    class Meta:
        db_table = "signals_slippage_hour"
        constraints = [
            models.UniqueConstraint(
                fields=["ticker1", "ticker2", "ticker_type", "hour", "order_action"],
                name="slippage_hour_once",
            )
        ]

    def __str__(self):
        return f"{self.ticker1}-{self.ticker2} {self.hour:%Y-%m-%d %H}h {self.order_action}"


# A signal the risk gate stopped: kept, never in the waiting list, until staff release it.
HELD = "held"
# A signal that waited past the risk settings' max_signal_age: never placed.
EXPIRED = "expired"
# Signals whose orders are, or may soon be, at the broker unfilled: part of an instrument's
# exposure (waiting ones only until they expire).
PENDING_STATUSES = (*WAITING_STATUSES, "created", "part.filled")


class RiskSettings(models.Model):
    """The account's guard rails (one row): the kill switch, how old a waiting signal may grow,
    and the account's loss limits. Per-instrument limits are InstrumentLimit rows."""

    SINGLETON_ID = 1

    # Counted up by every change: each worker keeps a copy, and an alert's INSERT lands only
    # while the copy it was checked against is current (signals.inserts).
    version = models.BigIntegerField(default=1)
    halted = models.BooleanField(default=False)
    halt_reason = models.TextField(blank=True, default="")
    max_signal_age = models.PositiveIntegerField(default=120)  # seconds
    daily_loss_limit = models.FloatField(null=True, blank=True)
    max_drawdown = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "risk settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="risk_settings_single_row"),
            models.CheckConstraint(
                condition=Q(daily_loss_limit__isnull=True) | Q(daily_loss_limit__gte=0),
                name="risk_daily_loss_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_drawdown__isnull=True) | Q(max_drawdown__gte=0),
                name="risk_max_drawdown_not_negative",
            ),
        ]

    def __str__(self):
        return "halted" if self.halted else "trading"


class InstrumentLimit(models.Model):
    """Limits of one ticker (``AAPL``) or pair (``NMFC-ROIC``); the row named ``""`` holds the
    defaults every instrument without its own value takes. Null: no limit."""

    DEFAULTS = ""

    instrument = models.CharField(max_length=81, unique=True, blank=True)
    max_order_contracts = models.PositiveBigIntegerField(null=True, blank=True)
    max_position = models.PositiveBigIntegerField(null=True, blank=True)
    max_orders_per_minute = models.PositiveIntegerField(null=True, blank=True)
    max_orders_per_day = models.PositiveIntegerField(null=True, blank=True)
    # True: orders only while the instrument's market trades (signals.hours).
    trading_window = models.BooleanField(null=True, blank=True)

    def __str__(self):
        return self.instrument or "defaults"


class InstrumentExposure(models.Model):
    """One row per traded instrument: the service's own filled position in it (leg 1's units
    for a pair), kept as fills are recorded, and the row the risk gate locks so that two
    orders for one instrument are checked one after the other."""

    instrument = models.CharField(max_length=81, unique=True)
    filled = models.FloatField(default=0)
    checks = models.BigIntegerField(default=0)  # written by each gate: the lock

    def __str__(self):
        return f"{self.instrument}: {self.filled:g}"
