from decimal import Decimal

from django import template
from django.utils.html import format_html

from billing import vat

register = template.Library()

PILL_CLASSES = {
    # orders
    "pending": "pill-warn",
    "paid": "pill-ok",
    "in_progress": "",
    "delivered": "pill-ok",
    "active": "pill-ok",
    "cancelled": "pill-muted",
    "refunded": "pill-muted",
    # subscriptions and invoices
    "incomplete": "pill-warn",
    "trialing": "pill-ok",
    "past_due": "pill-danger",
    "canceled": "pill-muted",
    "open": "pill-warn",
    "failed": "pill-danger",
    "void": "pill-muted",
}


@register.simple_tag
def status_pill(obj):
    """A coloured pill with the human label of an order's, subscription's or invoice's status."""
    return format_html('<span class="pill {}">{}</span>', PILL_CLASSES.get(obj.status, ""), obj.get_status_display())


@register.filter
def amount(value, currency="gbp"):
    symbols = {"gbp": "£", "eur": "€", "usd": "$"}
    symbol = symbols.get((currency or "").lower())
    if value is None:
        return ""
    return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {currency.upper()}"


@register.filter
def vat_percent(rate):
    """0.2000 → 20: a VAT rate as a percentage."""
    return vat.VatDecision(rate=Decimal(rate or 0), treatment="").percent


@register.simple_tag
def reverse_charge_note():
    return vat.REVERSE_CHARGE_NOTE
