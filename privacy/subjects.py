"""A person whose data we hold, as the registry finds their rows: an account, addresses, phones.

Every privacy operation on one person (export, erasure, objection, suppression) starts
from a Subject, so "whose rows are these" is answered in one place:
``PersonalData.subject_condition`` given the Subject's ids, email addresses and phones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

from django.contrib.auth import get_user_model

from privacy.conf import settings as privacy_settings


@dataclasses.dataclass(frozen=True)
class Subject:
    """One person: their account (if any) and the email addresses and phones they are known by."""

    user_id: int | None = None
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, user=None, email: str = "", phone: str = "") -> Subject:
        """The person behind an account and/or an address. The account's own email address
        is always included, so rows they made as a guest with it are theirs too."""
        emails = {normalise_email(e) for e in (email, getattr(user, "email", "")) if e}
        phones = {normalise_phone(phone)} if phone else set()
        user_id = user.pk if user is not None and user.pk else None
        if user_id is None and emails:
            # A person asking by email who has an account is that account's holder.
            email_field = get_user_model().get_email_field_name()
            match = (
                get_user_model()
                ._default_manager.filter(**{f"{email_field}__iexact": next(iter(sorted(emails)))})
                .values_list("pk", flat=True)
                .first()
            )
            user_id = match
        return cls(user_id=user_id, emails=frozenset(emails), phones=frozenset(p for p in phones if p))

    @property
    def user(self):
        if self.user_id is None:
            return None
        return get_user_model()._default_manager.filter(pk=self.user_id).first()

    def condition(self, declaration):
        """This person's rows of ``declaration``'s model as a Q, or None when it cannot name them."""
        return declaration.subject_condition(
            user_ids=[self.user_id] if self.user_id is not None else [],
            emails=sorted(self.emails),
            phones=sorted(self.phones),
        )

    def rows(self, declaration):
        """This person's rows of ``declaration``'s model, as one queryset."""
        condition = self.condition(declaration)
        manager = declaration.model._default_manager
        return manager.none() if condition is None else manager.filter(condition)

    def __bool__(self) -> bool:
        return self.user_id is not None or bool(self.emails) or bool(self.phones)


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Digits with a leading + kept, so "+44 7700 900123" and "+447700900123" hash alike.

    Accepts what a phone field holds: text, or a number object whose text is E.164."""
    value = str(value or "").strip()
    digits = "".join(ch for ch in value if ch.isdigit())
    return ("+" + digits) if value.startswith("+") else digits


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised email address or phone number, with ``PRIVACY_HASH_KEY``.

    The key is independent of SECRET_KEY (rotating one must not orphan the other); without
    the key nobody can test a guessed address against the stored digests.
    """
    normalised = normalise_email(value) if kind == "email" else normalise_phone(value)
    key = privacy_settings.HASH_KEY.encode()
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
