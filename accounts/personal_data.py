"""Personal data held by accounts: the user, profile, addresses, sign-in records.

Accounts also declares the models of the libraries it builds on (allauth's email
addresses, authenticators and user sessions; Django's sessions and admin log), since it
owns sign-in.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Q

from accounts.models import Address, Profile, User
from privacy import cookies
from privacy import registry as personal_data
from privacy.registry import Action, Category, Erasure, Retention, Source

#: P10: an account nobody has signed in to for three years is closed.
INACTIVE_YEARS = 3
#: The accounts the purge closes: not staff, no subscription still running.
CLOSABLE = Q(is_staff=False, is_superuser=False) & ~Q(subscriptions__status__in=["active", "past_due"])
WITH_THE_ACCOUNT = Retention(
    from_field="user__last_login",
    fallback_field="user__date_joined",
    years=INACTIVE_YEARS,
    action=Action.DELETE,
    # The same accounts the User retention closes, seen from the row's user.
    condition=Q(user__is_staff=False, user__is_superuser=False)
    & ~Q(user__subscriptions__status__in=["active", "past_due"]),
    event="the last sign-in (with the account)",
)


@personal_data.register(User)
class UserData(personal_data.PersonalData):
    record_name = "Your account"
    subject = "pk"  # the row is the person
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "full_name": Category.IDENTITY,
        "password": Category.CREDENTIALS,
        "date_joined": Category.ACCOUNT,
        "last_login": Category.ACCOUNT,
        "age_confirmed_at": Category.ACCOUNT,
    }
    purposes = ["accounts", "identity_verification", "fraud_prevention"]
    # Orders and subscriptions kept for tax still point at the row, so an account is closed
    # by anonymising it: nobody can sign in to it and nothing identifies the person.
    retention = Retention(
        from_field="last_login",
        fallback_field="date_joined",
        years=INACTIVE_YEARS,
        action=Action.ANONYMISE,
        anonymise=["email", "full_name", "password", "age_confirmed_at"],
        condition=CLOSABLE,
        event="the last sign-in (or the day it was opened, if never used)",
    )
    erasure = Erasure.anonymise_fields(["email", "full_name", "password", "age_confirmed_at", "last_login"])
    export = ["email", "full_name", "date_joined", "last_login", "age_confirmed_at"]
    description = "Your account: the email address you sign in with, your name and when you joined."


@personal_data.register(Profile)
class ProfileData(personal_data.PersonalData):
    record_name = "Your profile"
    subject = "user"
    fields = {
        "phone": Category.CONTACT,
        "company": Category.IDENTITY,
        "city": Category.ADDRESS,
        "country": Category.ADDRESS,
    }
    purposes = ["accounts", "provide_services"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Your profile: phone, company and location."


@personal_data.register(Address)
class AddressData(personal_data.PersonalData):
    record_name = "Address book"
    subject = "user"
    fields = {
        "full_name": Category.IDENTITY,
        "company": Category.IDENTITY,
        "line1": Category.ADDRESS,
        "line2": Category.ADDRESS,
        "city": Category.ADDRESS,
        "postcode": Category.ADDRESS,
        "country": Category.ADDRESS,
    }
    export = ["kind", "full_name", "company", "line1", "line2", "city", "postcode", "country", "is_default"]
    purposes = ["accounts", "provide_services"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Your billing and delivery address book."


@personal_data.register(EmailAddress)
class EmailAddressData(personal_data.PersonalData):
    subject = "user"
    subject_email = "email"
    fields = {"email": Category.CONTACT, "verified": Category.ACCOUNT, "primary": Category.ACCOUNT}
    purposes = ["accounts", "identity_verification"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "The email addresses on your account and whether they are confirmed."


@personal_data.register(Authenticator)
class AuthenticatorData(personal_data.PersonalData):
    record_name = "Two-factor sign-in"
    subject = "user"
    fields = {"type": Category.CREDENTIALS, "data": Category.CREDENTIALS, "last_used_at": Category.ACCOUNT}
    field_labels = {"type": "kind of authenticator", "data": "secret key", "last_used_at": "last used"}
    # The secret itself never leaves the database, not even in the export.
    export = ["type", "created_at", "last_used_at"]
    purposes = ["accounts", "fraud_prevention"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Two-factor authentication: authenticator apps and recovery codes."


@personal_data.register(UserSession)
class UserSessionData(personal_data.PersonalData):
    record_name = "Signed-in devices"
    subject = "user"
    fields = {"ip": Category.BROWSING, "user_agent": Category.BROWSING, "last_seen_at": Category.BROWSING}
    field_labels = {"ip": "IP address", "user_agent": "browser and device", "last_seen_at": "last seen"}
    export = ["created_at", "last_seen_at", "ip", "user_agent"]
    purposes = ["accounts", "fraud_prevention"]
    source = Source.OBSERVED
    retention = Retention(from_field="last_seen_at", days=90, action=Action.DELETE, event="the last request")
    erasure = Erasure.delete()
    description = "Your signed-in sessions: device, browser and IP address, so you can sign out of them."


@personal_data.register(Session)
class SessionData(personal_data.PersonalData):
    record_name = "Browser sessions"
    # Session data is signed and encoded (the signed-in user's id, the cart); it cannot be
    # queried per person, so it leaves with the session rather than through the export.
    fields = {"session_data": Category.BROWSING}
    field_labels = {"session_data": "who is signed in, and the cart"}
    export = []
    purposes = ["accounts", "provide_services"]
    source = Source.OBSERVED
    retention = Retention(from_field="expire_date", days=1, action=Action.DELETE, event="the session expired")
    erasure = Erasure.delete()
    description = "Browser sessions: who is signed in and what is in the cart."


@personal_data.register(LogEntry)
class AdminLogData(personal_data.PersonalData):
    record_name = "Staff change log"
    # The staff member who acted; object_repr can name the customer whose record changed.
    subject = "user"
    fields = {"object_repr": Category.IDENTITY, "change_message": Category.ACCOUNT}
    field_labels = {"object_repr": "name of the record changed", "change_message": "what was changed"}
    export = ["action_time", "object_repr", "change_message"]
    purposes = ["fraud_prevention", "legal_duties"]
    source = Source.STAFF
    retention = Retention(from_field="action_time", years=2, action=Action.DELETE, event="the change")
    erasure = Erasure.keep("Accountability for changes staff made (GDPR Art. 5(2))", anonymise=["object_repr"])
    description = "The staff change log."


# --- cookies (P29-P31): Django's and allauth's, all strictly necessary -------------------
cookies.declare(
    settings.SESSION_COOKIE_NAME,
    category=cookies.NECESSARY,
    party=cookies.KINETOGRAM,
    lifetime="2 weeks if you tick “Remember me” when signing in; otherwise until you close the browser",
    max_age=settings.SESSION_COOKIE_AGE,
    purpose="Keeps you signed in and holds your cart between pages. A random key; what it points to stays on "
    "our servers.",
)
cookies.declare(
    settings.CSRF_COOKIE_NAME,
    category=cookies.NECESSARY,
    party=cookies.KINETOGRAM,
    lifetime="1 year",
    max_age=settings.CSRF_COOKIE_AGE,
    purpose="Proves that a form you send was shown by our site, so other sites cannot send forms in your name.",
)
if not settings.MESSAGE_STORAGE.endswith(".SessionStorage"):
    cookies.declare(
        "messages",
        category=cookies.NECESSARY,
        party=cookies.KINETOGRAM,
        lifetime="until you close the browser",
        max_age=None,
        purpose="Carries a short notice (such as “Added to your cart”) to the next page you open.",
    )
if getattr(settings, "MFA_TRUST_ENABLED", False):
    cookies.declare(
        getattr(settings, "MFA_TRUST_COOKIE_NAME", "mfa_trusted"),
        category=cookies.NECESSARY,
        party=cookies.KINETOGRAM,
        lifetime="14 days",
        max_age=14 * 24 * 3600,
        purpose="Remembers that you trusted this browser, so two-factor sign-in does not ask again.",
    )
