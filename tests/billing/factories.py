"""Paid orders ready to invoice, built from shop's factories (tests may import both apps)."""

from decimal import Decimal

from django.utils import timezone

from billing import vat
from shop.models import Order, OrderLine
from tests.shop.factories import OrderFactory


def paid_order(*, lines=((Decimal("100.00"), 1, "one_off"),), country="GB", vat_number="", user=None, **fields):
    """An order paid now, with its lines and VAT figures as order_place computes them."""
    decision = vat.vat_decision(country=country, vat_number=vat_number)
    nets = [price * quantity for price, quantity, _ in lines]
    figures = vat.figures(nets=nets, decision=decision)
    extra = {"user": user} if user is not None else {}
    fields.setdefault("status", Order.Status.PAID)
    fields.setdefault("paid_at", timezone.now())
    order = OrderFactory(
        total=figures.gross,
        net_total=figures.net,
        vat_total=figures.vat,
        vat_rate=figures.rate,
        vat_treatment=figures.treatment,
        vat_number=vat.vat_number_clean(vat_number, country=country),
        billing_country=country,
        billing_company="Analytical Engines Ltd",
        purchase_order="PO-77",
        mode=Order.Mode.SUBSCRIPTION if any(b != "one_off" for *_, b in lines) else Order.Mode.PAYMENT,
        stripe_payment_intent_id="pi_test_1",
        **extra,
        **fields,
    )
    for index, (price, quantity, billing) in enumerate(lines):
        OrderLine.objects.create(
            order=order,
            service_name=f"Service {index + 1}",
            plan_name="Set-up" if billing == "one_off" else "Monthly",
            billing=billing,
            unit_price=price,
            quantity=quantity,
            line_total=price * quantity,
        )
    return order
