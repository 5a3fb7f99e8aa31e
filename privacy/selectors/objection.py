"""Objections (P22, GDPR Art. 21): the person's latest objection event per purpose."""


def has_objected(purpose: str, *, user=None, email: str = "", phone: str = "") -> bool:
    """Whether the person objects to ``purpose`` (postal_marketing, tailored_offers, research)."""
    raise NotImplementedError
