from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse


def site_url(path: str) -> str:
    """`path` on the site's public address (SITE_URL)."""
    return settings.SITE_URL + path


class AccountAdapter(DefaultAccountAdapter):
    """Hooks allauth calls; the sign-up extras are saved by the sign-up form.

    Links in emails start with SITE_URL, never with the host of the request that sent them:
    behind a proxy that host can be an internal name, and outside a request allauth would
    fall back to the django.contrib.sites row.
    """

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

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        # allauth's own shape: one opaque key where its URL pattern has "<uidb36>-<key>".
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email):
        context = {
            "signup_url": site_url(reverse("account_signup")),
            "password_reset_url": site_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)
