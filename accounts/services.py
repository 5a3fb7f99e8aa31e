"""Writes for customer accounts: profile and address book."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.consents import OPT_IN_WORDING
from accounts.models import Address, Profile
from privacy.models import ConsentEvent
from privacy.services import consent_grant

PROFILE_FIELDS = ("phone", "company", "city", "country")
ADDRESS_FIELDS = ("kind", "full_name", "company", "line1", "line2", "city", "postcode", "country")


@transaction.atomic
def signup_details_save(*, user, full_name, email_marketing=False, sms_marketing=False, phone=""):
    """Save what the sign-up form adds to allauth's account: name, age confirmation (P12) and
    the marketing opt-ins the customer ticked (P05).

    Writes the User, an email-marketing ConsentEvent when that box was ticked (source:
    sign-up, with the wording shown), and the Profile's phone when text offers were ticked.
    Text offers need the number confirmed first (a code we text, double opt-in): their
    consent is recorded by the preference centre when the code is entered, never here.
    """
    user.full_name = full_name
    user.age_confirmed_at = timezone.now()
    user.save(update_fields=["full_name", "age_confirmed_at"])
    if sms_marketing:
        profile_update(user=user, phone=phone)
    if email_marketing:
        consent_grant(
            user=user,
            purpose="email_marketing",
            source=ConsentEvent.Source.SIGNUP,
            wording=OPT_IN_WORDING["email_marketing"],
        )


def profile_get_or_create(*, user):
    """Return the customer's profile, creating an empty one the first time.

    Writes: at most one Profile row.
    """
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user, **fields):
    """Update the customer's name (on the user) and contact details (on the profile) together.

    Writes: the User's full_name and the Profile row (created if missing). Raises TypeError
    for a field that is neither.
    """
    unknown = set(fields) - {"full_name", *PROFILE_FIELDS}
    if unknown:
        raise TypeError(f"profile_update() got unexpected fields: {', '.join(sorted(unknown))}")
    if "full_name" in fields and fields["full_name"] != user.full_name:
        user.full_name = fields["full_name"]
        user.save(update_fields=["full_name"])
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    changed = [name for name in PROFILE_FIELDS if name in fields and getattr(profile, name) != fields[name]]
    for name in changed:
        setattr(profile, name, fields[name])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    return profile


def _clear_default(*, user, kind, keep_pk=None):
    # The partial unique index allows one default per kind, so the old default must be
    # cleared before the new one is set, in the same transaction.
    Address.objects.filter(user=user, kind=kind, is_default=True).exclude(pk=keep_pk).update(is_default=False)


def _lock_addresses(user):
    # Serialises concurrent default changes of one customer (a no-op on SQLite, which
    # locks the whole database for the write anyway).
    list(Address.objects.select_for_update().filter(user=user).values_list("pk", flat=True))


@transaction.atomic
def address_create(*, user, is_default=False, **fields):
    """Add an address to the customer's book; the first of its kind becomes the default.

    Writes: one Address row, and clears the previous default of that kind if `is_default`.
    """
    _lock_addresses(user)
    kind = fields["kind"]
    if not Address.objects.filter(user=user, kind=kind, is_default=True).exists():
        is_default = True
    elif is_default:
        _clear_default(user=user, kind=kind)
    return Address.objects.create(user=user, is_default=is_default, **fields)


@transaction.atomic
def address_update(*, address, is_default=None, **fields):
    """Change an address; moving it to another kind hands its default flag to the newest remaining one.

    Writes: the Address row and the default flags of the customer's other addresses of the
    old and new kind.
    """
    _lock_addresses(address.user)
    old_kind, was_default = address.kind, address.is_default
    for name in ADDRESS_FIELDS:
        if name in fields:
            setattr(address, name, fields[name])
    kind_changed = address.kind != old_kind
    wants_default = bool(is_default) or (was_default and not kind_changed)
    if kind_changed and not Address.objects.filter(user=address.user, kind=address.kind, is_default=True).exists():
        wants_default = True
    if wants_default:
        _clear_default(user=address.user, kind=address.kind, keep_pk=address.pk)
    address.is_default = wants_default
    address.save()
    if kind_changed and was_default:
        _promote_newest(user=address.user, kind=old_kind)
    return address


def _promote_newest(*, user, kind):
    newest = Address.objects.filter(user=user, kind=kind).order_by("-created_at", "-pk").first()
    if newest is not None:
        Address.objects.filter(pk=newest.pk).update(is_default=True)


@transaction.atomic
def address_delete(*, address):
    """Delete an address; if it was the default, the newest remaining one of its kind takes over.

    Writes: deletes one Address row, may set another one's default flag.
    """
    _lock_addresses(address.user)
    user, kind, was_default = address.user, address.kind, address.is_default
    address.delete()
    if was_default:
        _promote_newest(user=user, kind=kind)


@transaction.atomic
def address_make_default(*, address):
    """Make this address the customer's default for its kind (exactly one default per kind).

    Writes: clears the previous default of that kind, then sets this one.
    """
    _lock_addresses(address.user)
    _clear_default(user=address.user, kind=address.kind, keep_pk=address.pk)
    Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True
    return address


def user_session_forget(*, session_key):
    """Forget the device record (IP address, browser) of a session that has ended.

    Writes: deletes the allauth UserSession row of that session, if any.
    """
    from allauth.usersessions.models import UserSession

    UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_end(*, user) -> int:
    """End every signed-in session of ``user`` (SE-04): an account that is disabled, or that
    staff sign out everywhere, keeps no live session.

    Writes: deletes the sessions from the session store and their device records. Returns
    how many ended.
    """
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    return ended


@transaction.atomic
def site_sync(*, using="default"):
    """Make the current django.contrib.sites row (SITE_ID) name SITE_URL's host and the
    company. Writes that row (created if missing); returns it."""
    from django.contrib.sites.models import Site

    from accounts.adapter import site_domain

    site, _ = Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": settings.COMPANY_NAME}
    )
    Site.objects.clear_cache()
    return site
