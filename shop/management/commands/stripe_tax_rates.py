from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing import vat
from shop import payments
from shop.services import stripe_tax_rate_ensure


class Command(BaseCommand):
    help = (
        "Make the Stripe tax rates Checkout adds our VAT with: today's UK standard rate, and 0% for a "
        "reverse charge. Safe to run again: a rate already made is reused."
    )

    def handle(self, *args, **options):
        if payments.get_gateway().is_demo:
            raise CommandError("Demo payments are on (no STRIPE_SECRET_KEY): there is no Stripe account to set up.")
        today = timezone.localdate()
        decisions = [
            vat.VatDecision(rate=vat.rate_on(today), treatment=vat.Treatment.STANDARD),
            vat.VatDecision(rate=vat.ZERO, treatment=vat.Treatment.REVERSE_CHARGE),
        ]
        for decision in decisions:
            try:
                provider_id = stripe_tax_rate_ensure(decision=decision)
            except payments.PaymentError as exc:
                raise CommandError(f"Stripe refused the tax rate ({exc}).") from None
            self.stdout.write(f"{decision.percent}% {decision.treatment}: {provider_id}")
