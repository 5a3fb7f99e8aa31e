"""Billing settings, read when used (never at import)."""

from django.conf import settings


def seller():
    """Who issues the invoices: name, postal address (lines) and UK VAT registration number."""
    return {
        "name": getattr(settings, "BILLING_SELLER_NAME", "") or settings.COMPANY_NAME,
        "address": getattr(settings, "BILLING_SELLER_ADDRESS", ""),
        "vat_number": getattr(settings, "BILLING_VAT_NUMBER", ""),
        "email": settings.COMPANY_EMAIL,
    }
