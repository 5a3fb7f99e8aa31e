"""The purposes personal data is processed for, each with its legal basis (P04, P26, P28).

Declared once here; declarations name them by key, the privacy page and the record of
processing render them, and consent is asked only for purposes whose basis is consent.
"""

from __future__ import annotations

import dataclasses

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1) bases the policy relies on."""

    CONTRACT = "contract", _("Performance of a contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interests")
    CONSENT = "consent", _("Consent")


@dataclasses.dataclass(frozen=True)
class Purpose:
    key: str
    name: str
    description: str
    basis: str
    #: For legitimate interests: the interest itself, listed in the record of processing (P28).
    interest: str = ""
    #: Whether the person may object (GDPR Art. 21); true for legitimate-interest marketing.
    objectable: bool = False
    #: Cookie category this purpose governs, for the cookie consent purposes.
    cookie_category: str = ""
    #: The restriction scope that stops this use of a person's data (P23): "marketing",
    #: "profiling" or "analytics" (a Restriction.Scope); "" for uses a restriction leaves
    #: alone (providing what was bought, legal duties).
    restricted_by: str = ""

    @property
    def needs_consent(self) -> bool:
        return self.basis == LegalBasis.CONSENT

    @property
    def basis_label(self) -> str:
        return str(LegalBasis(self.basis).label)


PURPOSES: dict[str, Purpose] = {
    p.key: p
    for p in (
        Purpose(
            "provide_services",
            "Providing the services you buy",
            "Taking orders and payments, delivering one-off services and running subscriptions.",
            LegalBasis.CONTRACT,
        ),
        Purpose(
            "accounts",
            "Managing your account",
            "Signing you in, keeping your profile, addresses, saved searches and security settings.",
            LegalBasis.CONTRACT,
        ),
        Purpose(
            "customer_service",
            "Customer service",
            "Answering your questions, consultation requests and reviews.",
            LegalBasis.LEGITIMATE_INTEREST,
            interest="Fulfilling our duties to our customers and answering the people who contact us.",
        ),
        Purpose(
            "identity_verification",
            "Verifying your identity",
            "Confirming email addresses and who is making a privacy request.",
            LegalBasis.LEGAL_OBLIGATION,
        ),
        Purpose(
            "fraud_prevention",
            "Preventing fraud and keeping the site secure",
            "Rate limits, session records, audit logs and payment checks.",
            LegalBasis.LEGITIMATE_INTEREST,
            interest="Protecting our customers, staff and systems from fraud and unauthorised access.",
        ),
        Purpose(
            "legal_duties",
            "Meeting our legal duties",
            "Keeping tax records, answering authorities where the law requires it, and records of consent.",
            LegalBasis.LEGAL_OBLIGATION,
        ),
        Purpose(
            "email_marketing",
            "Email marketing",
            "Sending you offers and news about our services by email.",
            LegalBasis.CONSENT,
            restricted_by="marketing",
        ),
        Purpose(
            "sms_marketing",
            "Text message marketing",
            "Sending you offers and alerts by text message.",
            LegalBasis.CONSENT,
            restricted_by="marketing",
        ),
        Purpose(
            "postal_marketing",
            "Postal marketing",
            "Sending you printed mailers about the latest offers and services.",
            LegalBasis.LEGITIMATE_INTEREST,
            interest="Telling existing customers about relevant services; you may object at any time.",
            objectable=True,
            restricted_by="marketing",
        ),
        Purpose(
            "tailored_offers",
            "Tailored offers",
            "Analysing your browsing, purchases and responses to our marketing to send relevant offers.",
            LegalBasis.LEGITIMATE_INTEREST,
            interest="Contacting customers with relevant information rather than everything; you may object.",
            objectable=True,
            restricted_by="profiling",
        ),
        Purpose(
            "research",
            "Improving our services",
            "Aggregated research on how our services and site are used.",
            LegalBasis.LEGITIMATE_INTEREST,
            interest="Improving the services and the site for all customers.",
            objectable=True,
            restricted_by="analytics",
        ),
        Purpose(
            "analytics_cookies",
            "Analytics cookies",
            "Measuring visits, journeys and campaign success on our site.",
            LegalBasis.CONSENT,
            cookie_category="analytics",
            restricted_by="analytics",
        ),
        Purpose(
            "advertising_cookies",
            "Advertising cookies",
            "Showing you banner advertisements about our services on other websites.",
            LegalBasis.CONSENT,
            cookie_category="advertising",
            restricted_by="marketing",
        ),
        Purpose(
            "affiliate_cookies",
            "Affiliate cookies",
            "Paying partner sites that sent you to us when you buy.",
            LegalBasis.CONSENT,
            cookie_category="affiliate",
            restricted_by="marketing",
        ),
    )
}

#: Purposes a customer can give or withdraw consent for outside the cookie banner.
MARKETING_CONSENT_PURPOSES = ("email_marketing", "sms_marketing")
#: Purposes a customer can object to (GDPR Art. 21).
OBJECTABLE_PURPOSES = tuple(k for k, p in PURPOSES.items() if p.objectable)
#: What "object to all marketing" objects to (P22): direct marketing on legitimate interests
#: and profiling for tailored offers; the consent-based channels are withdrawn with it.
MARKETING_OBJECTIONS = tuple(k for k in OBJECTABLE_PURPOSES if PURPOSES[k].restricted_by in ("marketing", "profiling"))
COOKIE_PURPOSES = {p.cookie_category: p.key for p in PURPOSES.values() if p.cookie_category}


def get(key: str) -> Purpose:
    return PURPOSES[key]


def consent_purposes() -> list[Purpose]:
    return [p for p in PURPOSES.values() if p.needs_consent]
