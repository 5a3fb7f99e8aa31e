from tests.accounts.factories import PASSWORD

LOGIN_URL = "/accounts/login/"


def sign_in(client, user, *, password=PASSWORD, remember=False):
    """Sign in through allauth's form, as a person would."""
    data = {"login": user.email, "password": password}
    if remember:
        data["remember"] = "on"
    return client.post(LOGIN_URL, data)


def reauthenticate(client, *, password=PASSWORD):
    return client.post("/accounts/reauthenticate/", {"password": password})


def main_text(response):
    """The page's main landmark, without tokens that differ per request."""
    import re

    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


#: The authenticator-app key staff test accounts get (base32, as an app would take it).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPSTAFFTST"  # noqa: S105 (test-only)


def staff_login(client, user):
    """Sign ``user`` in as the admin requires of staff (AU-07): force_login, with a TOTP
    authenticator and the session's record of a two-factor sign-in, as allauth writes it.
    Anyone else is simply force-logged in."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import RequestFactory

    if not user.is_staff:
        client.force_login(user)
        return client
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, STAFF_TOTP_SECRET).instance
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    return client
