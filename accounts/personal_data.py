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

from accounts.esp import email_address_suppress
from accounts.models import Address, Profile, User
from privacy import cookies
from privacy import registry as personal_data
from privacy.registry import Action, Category, CorrectedBy, Erasure, Retention, Source, Via

#: P10: an account nobody has signed in to for three years is closed.
INACTIVE_YEARS = 3
#: A subscription in one of these states still runs (the shop's Subscription.objects.live()),
#: named through the user's reverse relation since accounts does not import the shop.
RUNNING_SUBSCRIPTIONS = ("active", "trialing", "past_due")


def account_closable(to_user: str = "") -> Q:
    """P10: the accounts the purge may close once nobody has signed in for three years, as a
    condition on a model whose ``to_user`` path leads to the account ("" on the user itself):
    not staff, and no subscription still running, a trial included (it becomes a paid one)."""
    prefix = f"{to_user}__" if to_user else ""
    return Q(**{f"{prefix}is_staff": False, f"{prefix}is_superuser": False}) & ~Q(
        **{f"{prefix}subscriptions__status__in": RUNNING_SUBSCRIPTIONS}
    )


WITH_THE_ACCOUNT = Retention(
    from_field="user__last_login",
    fallback_field="user__date_joined",
    years=INACTIVE_YEARS,
    action=Action.DELETE,
    # The rows go with their account, when the User retention closes it.
    condition=account_closable("user"),
    event="the last sign-in (with the account)",
)


@personal_data.register(User)
class UserData(personal_data.PersonalData):
    manage_url = "accounts:profile"
    record_name = "Your account"
    subject = "pk"  # the row is the person
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "full_name": Category.IDENTITY,
        "password": Category.CREDENTIALS,
        "last_login": Category.ACCOUNT,
        "age_confirmed_at": Category.ACCOUNT,
    }
    not_exported = {"password": "A one-way hash that only our sign-in can use; it says nothing to anyone else."}
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["accounts", "identity_verification", "fraud_prevention"]
    # Orders and subscriptions kept for tax still point at the row, so an account is closed
    # by anonymising it: nobody can sign in to it and nothing identifies the person.
    retention = Retention(
        from_field="last_login",
        fallback_field="date_joined",
        years=INACTIVE_YEARS,
        action=Action.ANONYMISE,
        anonymise=["email", "full_name", "password", "age_confirmed_at"],
        condition=account_closable(),
        event="the last sign-in (or the day it was opened, if never used)",
    )
    # The account is closed: nobody can sign in to it, staff rights included; its id stays
    # for the kept records and the erasure log (P20).
    erasure = Erasure.anonymise_fields(values={"is_active": False, "is_staff": False, "is_superuser": False})
    description = "Your account: the email address you sign in with, your name and when you joined."


@personal_data.register(Profile)
class ProfileData(personal_data.PersonalData):
    manage_url = "accounts:profile"
    record_name = "Your profile"
    subject = "user"
    fields = {
        "phone": Category.CONTACT,
        "company": Category.IDENTITY,
        "city": Category.ADDRESS,
        "country": Category.ADDRESS,
    }
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["accounts", "provide_services"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Your profile: phone, company and location."


@personal_data.register(Address)
class AddressData(personal_data.PersonalData):
    manage_url = "accounts:address_list"
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
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["accounts", "provide_services"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Your billing and delivery address book."


@personal_data.register(EmailAddress)
class EmailAddressData(personal_data.PersonalData):
    manage_url = "account_email"
    subject = "user"
    subject_email = "email"
    fields = {"email": Category.CONTACT, "verified": Category.ACCOUNT, "primary": Category.ACCOUNT}
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["accounts", "identity_verification"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "The email addresses on your account and whether they are confirmed."


@personal_data.register(Authenticator)
class AuthenticatorData(personal_data.PersonalData):
    manage_url = "mfa_index"
    record_name = "Two-factor sign-in"
    subject = "user"
    fields = {"type": Category.CREDENTIALS, "data": Category.CREDENTIALS, "last_used_at": Category.ACCOUNT}
    field_labels = {"type": "kind of authenticator", "data": "secret key", "last_used_at": "last used"}
    not_exported = {"data": "The secret key and recovery codes never leave the database, not even in your export."}
    purposes = ["accounts", "fraud_prevention"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Two-factor authentication: authenticator apps and recovery codes."


@personal_data.register(UserSession)
class UserSessionData(personal_data.PersonalData):
    manage_url = "usersessions_list"
    record_name = "Signed-in devices"
    subject = "user"
    fields = {"ip": Category.BROWSING, "user_agent": Category.BROWSING, "last_seen_at": Category.BROWSING}
    field_labels = {"ip": "IP address", "user_agent": "browser and device", "last_seen_at": "last seen"}
    not_exported = {
        "session_key": "The key keeps the device signed in: a copy of it could take over the session.",
        "data": "The sign-in library's own bookkeeping of how the session signed in.",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["accounts", "fraud_prevention"]
    source = Source.OBSERVED
    retention = Retention(from_field="last_seen_at", days=90, action=Action.DELETE, event="the last request")
    erasure = Erasure.delete()
    description = "Your signed-in sessions: device, browser and IP address, so you can sign out of them."


@personal_data.register(Session)
class SessionData(personal_data.PersonalData):
    record_name = "Browser sessions"
    # Session data is signed and encoded (the signed-in user's id, the cart), so it cannot be
    # queried per person: a person's sessions are the ones their signed-in devices name.
    # A session no device names (signed in before devices were recorded) still ends at
    # the erasure, as the account's password hash it was signed with is gone.
    subject_via = Via(field="session_key", model="usersessions.UserSession", to_field="session_key")
    fields = {"session_data": Category.BROWSING}
    field_labels = {"session_data": "who is signed in, and the cart"}
    not_exported = {
        "session_key": "The key keeps the browser signed in: a copy of it could take over the session.",
        "session_data": "Signed and encoded for our servers; Your data shows the account and cart it points to.",
    }
    purposes = ["accounts", "provide_services"]
    source = Source.OBSERVED
    retention = Retention(from_field="expire_date", days=1, action=Action.DELETE, event="the session expired")
    erasure = Erasure.delete()
    description = "Browser sessions: who is signed in and what is in the cart."


@personal_data.register(LogEntry)
class AdminLogData(personal_data.PersonalData):
    record_name = "Staff change log"
    # The staff member who acted, and the rows about a person's records: object_repr can
    # name the customer whose record changed.
    subject = "user"
    subject_object = ("content_type", "object_id")
    fields = {"object_repr": Category.IDENTITY, "change_message": Category.ACCOUNT}
    field_labels = {"object_repr": "name of the record changed", "change_message": "what was changed"}
    purposes = ["fraud_prevention", "legal_duties"]
    source = Source.STAFF
    corrected_by = CorrectedBy.NOBODY
    retention = Retention(from_field="action_time", years=2, action=Action.DELETE, event="the change")
    erasure = Erasure.keep("Accountability for changes staff made (GDPR Art. 5(2))", fields=["change_message"])
    cascade_reason = (
        "Django's own admin log, whose link to the staff member cascades; user rows are never deleted "
        "here: an erasure closes the account by anonymising it."
    )
    description = "The staff change log."


# --- outside our database (GDPR Art. 17(2), 19) -------------------------------------------
personal_data.external_step(
    "email.suppress_address",
    action="erase",
    # Every address of the person we may have written to: the account's and the ones their
    # orders, requests and consents name.
    collect=lambda subject: [{"email": address} for address in sorted(subject.emails)],
    run=email_address_suppress,
)


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
