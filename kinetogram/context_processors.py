from django.conf import settings


def site(request):
    """Company details every template may show (header, footer, emails)."""
    return {
        "COMPANY_NAME": settings.COMPANY_NAME,
        "COMPANY_EMAIL": settings.COMPANY_EMAIL,
        "COMPANY_PHONE": settings.COMPANY_PHONE,
        "PAYMENT_IS_DEMO": settings.SHOP_PAYMENT_GATEWAY == "demo",
    }
