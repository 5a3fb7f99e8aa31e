from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def gbp(value):
    """£1,234.50 and −£10.00: pounds with two places and thousands separators."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"
