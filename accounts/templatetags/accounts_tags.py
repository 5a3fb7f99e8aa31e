from django import template

from accounts.countries import COUNTRY_NAMES

register = template.Library()


@register.filter
def country_name(code):
    """The English name of an ISO 3166 country code; the code itself when unknown."""
    return COUNTRY_NAMES.get((code or "").upper(), code)
