from django.core.exceptions import ValidationError
from django.db import models

SYMBOL_MAX_LENGTH = 40
# A ticker's keys on the wire, in the contract's order; the admin edits the same fields.
TICKER_FIELDS = (
    "symbol",
    "sectype",
    "xch",
    "prixch",
    "currency",
    "order_type",
    "active",
    "active_pos",
    "active_pnl",
    "active_cost",
)


def validate_symbol(value):
    """A broker symbol may hold spaces and dots (``BF A``, ``EUR.USD``), never a slash, which
    could not be named in a path, nor control characters."""
    if "/" in value or any(ord(ch) < 32 for ch in value):
        raise ValidationError("may not hold '/' or control characters.")


# Reported by the bridge (ticker/updatepnl); a regticker write changes them only on request.
POSITION_FIELDS = ("active_pos", "active_pnl", "active_cost")


class Ticker(models.Model):
    """One tradable instrument, named by its broker symbol."""

    class SecType(models.TextChoices):
        STOCK = "STK", "Stock"
        FOREX = "CASH", "Forex"
        CRYPTO = "CRYPTO", "Crypto"

    symbol = models.CharField(
        max_length=SYMBOL_MAX_LENGTH, unique=True, validators=[validate_symbol]
    )
    sectype = models.CharField(max_length=6, choices=SecType.choices, default=SecType.STOCK)
    xch = models.CharField("routing exchange", max_length=20, default="SMART")
    prixch = models.CharField("primary exchange", max_length=20, default="NYSE")
    currency = models.CharField(max_length=10, default="USD")
    order_type = models.CharField(max_length=20, default="RELATIVE")
    active = models.BooleanField("active as a single", default=False)
    active_pos = models.FloatField("position", default=0)
    active_pnl = models.FloatField("unrealized PNL", default=0)
    active_cost = models.FloatField("average cost", default=0)

    class Meta:
        ordering = ["symbol"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sectype__in=["STK", "CASH", "CRYPTO"]),
                name="ticker_sectype_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(symbol=""),
                name="ticker_symbol_not_empty",
            ),
        ]

    def __str__(self):
        return self.symbol


class Pair(models.Model):
    """``ticker1`` traded against ``hedge`` × ``ticker2``."""

    name = models.CharField(max_length=2 * SYMBOL_MAX_LENGTH + 1, unique=True)
    ticker1 = models.CharField(max_length=SYMBOL_MAX_LENGTH, validators=[validate_symbol])
    ticker2 = models.CharField(max_length=SYMBOL_MAX_LENGTH, validators=[validate_symbol])
    hedge = models.FloatField()
    status = models.BooleanField("active for trading", default=False)
    notes = models.TextField(null=True, blank=True)  # noqa: DJ001 (the contract sends null)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["ticker1"], name="pair_ticker1_idx"),
            models.Index(fields=["ticker2"], name="pair_ticker2_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(hedge__gt=0), name="pair_hedge_positive"),
            models.CheckConstraint(
                condition=~models.Q(ticker1__contains="-") & ~models.Q(ticker2__contains="-"),
                name="pair_legs_without_dash",
            ),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def name_for(ticker1, ticker2):
        return f"{ticker1}-{ticker2}"


class RegistryVersion(models.Model):
    """A single row whose ``version`` changes whenever a ticker or pair changes in a way that
    decides a new signal's status (database triggers, migration 0002).

    Workers keep the registry in memory and store a signal only while the version they checked
    it against is still current (see ``instruments.registry``).
    """

    version = models.BigIntegerField()

    def __str__(self):
        return f"registry version {self.version}"


class PriceTick(models.Model):
    """One price of a ticker or a pair's spread (POST /v3/price): a TradingView bar-close alert,
    or the bridge's leg prices. The newest PRICE_HISTORY_KEPT per instrument are kept."""

    instrument = models.CharField(max_length=2 * SYMBOL_MAX_LENGTH + 1)  # AAPL or NMFC-ROIC
    price = models.FloatField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["instrument", "-at"], name="price_instrument_at_idx")]

    def __str__(self):
        return f"{self.instrument} {self.price} at {self.at:%Y-%m-%d %H:%M:%S}"
