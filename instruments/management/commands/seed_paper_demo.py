from django.core.management.base import BaseCommand

from instruments import services
from instruments.models import Pair, Ticker


class Command(BaseCommand):
    help = (
        "Register what the paper-trading demo trades, if not there yet: AAPL and EURUSD active "
        "as singles and the pair NMFC-ROIC (hedge 0.75) active. make paper runs it."
    )

    def handle(self, *args, **options):
        if not Ticker.objects.filter(symbol="AAPL").exists():
            services.register_ticker(symbol="AAPL", prixch="NASDAQ", active=True)
        # Forex trades at any hour: the demo answers on a weekend too.
        if not Ticker.objects.filter(symbol="EURUSD").exists():
            services.register_ticker(
                symbol="EURUSD",
                sectype="CASH",
                xch="IDEALPRO",
                prixch="",
                order_type="MARKET",
                active=True,
            )
        for symbol in ("NMFC", "ROIC"):
            if not Ticker.objects.filter(symbol=symbol).exists():
                services.register_ticker(symbol=symbol)
        if not Pair.objects.filter(name="NMFC-ROIC").exists():
            services.register_pair(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
        self.stdout.write("paper demo: AAPL, EURUSD and NMFC-ROIC are registered and active")
