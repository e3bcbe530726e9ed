from django.db import models

from pairsapi.timestamps import utc_now_to_second

# The broker reports -1 for a PnL figure it does not know.
UNKNOWN_PNL = -1


class AccountSnapshot(models.Model):
    """The broker account's figures at one moment, as the bridge reports them."""

    rowid = models.BigAutoField(primary_key=True)
    timestamp = models.DateTimeField(default=utc_now_to_second)
    available_funds = models.FloatField("AvailableFunds", null=True, blank=True)
    buying_power = models.FloatField("BuyingPower", null=True, blank=True)
    daily_pnl = models.FloatField("DailyPnL", default=UNKNOWN_PNL)
    gross_position_value = models.FloatField("GrossPositionValue", null=True, blank=True)
    maint_margin_req = models.FloatField("MaintMarginReq", null=True, blank=True)
    net_liquidation = models.FloatField("NetLiquidation", null=True, blank=True)
    realized_pnl = models.FloatField("RealizedPnL", default=UNKNOWN_PNL)
    unrealized_pnl = models.FloatField("UnrealizedPnL", default=UNKNOWN_PNL)

    class Meta:
        ordering = ["-rowid"]
        indexes = [models.Index(fields=["-timestamp"], name="snapshot_timestamp_idx")]

    def __str__(self):
        return f"#{self.rowid} {self.timestamp:%Y-%m-%d %H:%M}"


# Wire key (the broker's name) -> model field.
WIRE_FIELDS = {
    "AvailableFunds": "available_funds",
    "BuyingPower": "buying_power",
    "DailyPnL": "daily_pnl",
    "GrossPositionValue": "gross_position_value",
    "MaintMarginReq": "maint_margin_req",
    "NetLiquidation": "net_liquidation",
    "RealizedPnL": "realized_pnl",
    "UnrealizedPnL": "unrealized_pnl",
}

# The figures the broker reports as -1 when it does not know them.
UNKNOWN_WHEN_MISSING = ("daily_pnl", "realized_pnl", "unrealized_pnl")
