"""Demo sign-in records for demo customers: a browser session each, one with two-factor."""

import datetime
from importlib import import_module

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

#: Stable, so the README can name it: a demo secret for the demo customer with two-factor.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPKINETOGR"  # noqa: S105 (public demo secret, documented)
#: AU-07: staff reach the admin only with a second factor, the demo staff account too. A
#: public demo secret, printed by seed_demo and named in the README: demo data only.
DEMO_STAFF_TOTP_SECRET = "KINETOGRAMSTAFFDEMOTWOFA"  # noqa: S105 (public demo secret, documented)
DEMO_DEVICES = [
    ("81.2.69.142", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"),
    ("81.2.69.160", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"),
    ("2.125.160.216", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"),
]


def demo_seed_sign_in_records(*, user, position, now):
    """A signed-in session on another device (seen on the sessions page), idempotently."""
    if UserSession.objects.filter(user=user).exists():
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(datetime.timedelta(days=14))
    store.create()
    ip, agent = DEMO_DEVICES[position % len(DEMO_DEVICES)]
    UserSession.objects.create(
        user=user,
        session_key=store.session_key,
        ip=ip,
        user_agent=agent,
        created_at=now - datetime.timedelta(days=3),
        last_seen_at=now - datetime.timedelta(hours=position + 1),
    )


def demo_seed_two_factor(*, user, secret: str = DEMO_TOTP_SECRET) -> list[str]:
    """Turn on two-factor for ``user``; returns the unused recovery codes (empty when done before)."""
    if Authenticator.objects.filter(user=user).exists():
        return []
    TOTP.activate(user, secret)
    return RecoveryCodes.activate(user).get_unused_codes()
