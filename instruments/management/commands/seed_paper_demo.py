from django.core.management.base import BaseCommand

from instruments import services
from instruments.models import Pair, Ticker


class Command(BaseCommand):
    help = (
        "Register what the paper-trading demo trades, if not there yet: AAPL active as a single "
        "and the pair NMFC-ROIC (hedge 0.75) active. make paper runs it."
    )

    def handle(self, *args, **options):
        if not Ticker.objects.filter(symbol="AAPL").exists():
            services.register_ticker(symbol="AAPL", active=True)
        for symbol in ("NMFC", "ROIC"):
            if not Ticker.objects.filter(symbol=symbol).exists():
                services.register_ticker(symbol=symbol)
        if not Pair.objects.filter(name="NMFC-ROIC").exists():
            services.register_pair(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
        self.stdout.write("paper demo: AAPL and NMFC-ROIC are registered and active")
