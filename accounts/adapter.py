from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Hooks allauth calls; the sign-up extras are saved by the sign-up form."""

    def send_mail(self, template_prefix, email, context):
        # allauth's messages are rendered without a request, so they do not see the site
        # context processor; their shared footer names the company and carries the P16 line.
        context = {
            "SITE_URL": settings.SITE_URL,
            "COMPANY_NAME": settings.COMPANY_NAME,
            "COMPANY_EMAIL": settings.COMPANY_EMAIL,
            **context,
        }
        return super().send_mail(template_prefix, email, context)
