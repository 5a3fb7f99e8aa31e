from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.urls import reverse

from privacy import crypto

#: Where two-factor secrets are encrypted (the associated data of privacy.crypto).
MFA_SECRET_CONTEXT = "mfa.Authenticator.data"  # noqa: S105 (a label, not a secret)


def site_url(path: str) -> str:
    """`path` on the site's public address (SITE_URL)."""
    return settings.SITE_URL + path


def site_domain() -> str:
    """The host (and port) of SITE_URL, as the django.contrib.sites row should name it."""
    return urlsplit(settings.SITE_URL).netloc


# Links allauth builds from the request's host before handing them to an email (the
# unknown-account email's sign-up link): rebuilt here on SITE_URL, whatever host served the
# page. ("password_reset_url" is not one: in the reset email it is the keyed link.)
_LINKS_ON_SITE_URL = {"signup_url": "account_signup"}
ALREADY_EXISTS_SENT = "_kinetogram_account_already_exists_sent"


class AccountAdapter(DefaultAccountAdapter):
    """Hooks allauth calls; the sign-up extras are saved by the sign-up form.

    Every email allauth sends is rendered from our templates (templates/account/email/ and
    templates/mfa/email/, each extending account/email/base_message.txt), and every link
    in it starts with SITE_URL, never with the host of the request that sent it: behind a
    proxy that host can be an internal name, and outside a request allauth would fall back
    to the django.contrib.sites row.
    """

    def _site(self):
        # allauth names the site from django.contrib.sites; the company name and URL come
        # from the environment instead (the row is kept in step: accounts.receivers).
        return SimpleNamespace(name=settings.COMPANY_NAME, domain=site_domain())

    def format_email_subject(self, subject):
        return f"[{settings.COMPANY_NAME}] {subject}"

    def send_mail(self, template_prefix, email, context):
        # allauth's messages are rendered without a request, so they do not see the site
        # context processor; their shared footer names the company and carries the P16 line.
        context = {
            **context,
            **{key: site_url(reverse(name)) for key, name in _LINKS_ON_SITE_URL.items() if key in context},
            "current_site": self._site(),
            "SITE_URL": settings.SITE_URL,
            "COMPANY_NAME": settings.COMPANY_NAME,
            "COMPANY_EMAIL": settings.COMPANY_EMAIL,
            "COMPANY_PHONE": settings.COMPANY_PHONE,
        }
        return super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        # allauth's own shape: one opaque key where its URL pattern has "<uidb36>-<key>".
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email):
        """Tell the owner of an address that someone (most likely they) tried to sign up
        with it, with the sign-in and password-reset links. Once per request, whichever
        path asks first, and at most ACCOUNT_RATE_LIMITS["account_already_exists"] per
        address, so a sign-up form cannot be used to flood someone's inbox."""
        request = allauth_context.request
        if request is not None:
            if getattr(request, ALREADY_EXISTS_SENT, False):
                return
            setattr(request, ALREADY_EXISTS_SENT, True)
            if not ratelimit.consume(request, action="account_already_exists", key=email.lower()):
                return
        context = {
            "email": email,
            "login_url": site_url(reverse("account_login")),
            "signup_url": site_url(reverse("account_signup")),
            "password_reset_url": site_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)


class MFAAdapter(DefaultMFAAdapter):
    """P15: TOTP secrets and recovery-code seeds are stored encrypted (AES-256-GCM, the field
    encryption keys), through allauth's own encrypt/decrypt hook; a value that does not
    decrypt raises (CR-02), so a tampered secret signs nobody in."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, context=MFA_SECRET_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, context=MFA_SECRET_CONTEXT)


def _reencrypted(data: dict) -> dict | None:
    """``data`` with every secret under an old key encrypted again under the current one, or
    None when nothing in it needs that."""
    changed = dict(data)
    for key in ("secret", "seed"):
        value = changed.get(key)
        if isinstance(value, str) and value and crypto.needs_rotation(value):
            changed[key] = crypto.encrypt(crypto.decrypt(value, context=MFA_SECRET_CONTEXT), context=MFA_SECRET_CONTEXT)
    codes = changed.get("migrated_codes")
    if isinstance(codes, list):
        changed["migrated_codes"] = [
            crypto.encrypt(crypto.decrypt(code, context=MFA_SECRET_CONTEXT), context=MFA_SECRET_CONTEXT)
            if crypto.needs_rotation(code)
            else code
            for code in codes
        ]
    return changed if changed != data else None


def mfa_secrets_reencrypt(batch_size: int) -> tuple[int, int]:
    """CR-04: two-factor secrets under an old field-encryption key, encrypted again under the
    current one (``manage.py reencrypt`` calls it). Returns (authenticators, rewritten)."""
    from allauth.mfa.models import Authenticator
    from django.db import transaction

    scanned = rewritten = 0
    last_pk = 0
    while True:
        page = list(Authenticator.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not page:
            return scanned, rewritten
        last_pk = page[-1].pk
        scanned += len(page)
        changed = []
        for authenticator in page:
            data = _reencrypted(authenticator.data or {})
            if data is not None:
                authenticator.data = data
                changed.append(authenticator)
        with transaction.atomic():
            Authenticator.objects.bulk_update(changed, ["data"])
        rewritten += len(changed)
