from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Hooks allauth calls; the sign-up extras are saved by the sign-up form."""

    def _site(self):
        # allauth names the site from django.contrib.sites, whose row says "example.com"
        # until someone edits it; the company name and URL come from the environment instead.
        return SimpleNamespace(name=settings.COMPANY_NAME, domain=urlsplit(settings.SITE_URL).netloc)

    def format_email_subject(self, subject):
        return f"[{settings.COMPANY_NAME}] {subject}"

    def send_mail(self, template_prefix, email, context):
        # allauth's messages are rendered without a request, so they do not see the site
        # context processor; their shared footer names the company and carries the P16 line.
        context = {
            **context,
            "current_site": self._site(),
            "SITE_URL": settings.SITE_URL,
            "COMPANY_NAME": settings.COMPANY_NAME,
            "COMPANY_EMAIL": settings.COMPANY_EMAIL,
        }
        return super().send_mail(template_prefix, email, context)
