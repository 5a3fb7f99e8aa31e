"""Personal data held by the privacy app itself: consents, restrictions, audit, disclosures."""

from django.db.models import Q

from privacy import cookies
from privacy import registry as personal_data
from privacy.conf import settings as privacy_settings
from privacy.models import (
    AuditEvent,
    ConsentEvent,
    DataExport,
    Disclosure,
    PolicyAcknowledgement,
    PrivacySignal,
    ProcessorStep,
    Restriction,
    SubjectRequest,
    SubjectRequestEvent,
    Suppression,
)
from privacy.registry import Action, Category, CorrectedBy, Erasure, Retention, Source

ACCOUNTABILITY = "Accountability: proof of how personal data was handled (GDPR Art. 5(2))"


@personal_data.register(ConsentEvent)
class ConsentEventData(personal_data.PersonalData):
    manage_url = "accounts:preferences"
    record_name = "Consent records"
    subject = "user"
    subject_email = "email"
    subject_phone = "phone"
    fields = {
        "purpose": Category.PREFERENCES,
        "action": Category.PREFERENCES,
        "email": Category.CONTACT,
        "phone": Category.CONTACT,
        "anonymous_id": Category.BROWSING,
    }
    field_labels = {"anonymous_id": "cookie consent id"}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["legal_duties", "email_marketing", "sms_marketing"]
    retention = Retention(from_field="created_at", years=6, action=Action.DELETE, event="the choice")
    # OPT-06: erasure of its subject is the one path that may remove ledger rows.
    erasure = Erasure.delete()
    description = "Every consent you gave or withdrew, with the wording and policy version shown."


@personal_data.register(PolicyAcknowledgement)
class PolicyAcknowledgementData(personal_data.PersonalData):
    record_name = "Privacy policy reviews"
    subject = "user"
    fields = {"acknowledged_at": Category.PREFERENCES}
    purposes = ["legal_duties"]
    retention = Retention(from_field="acknowledged_at", years=6, action=Action.DELETE, event="the review")
    erasure = Erasure.delete()
    description = "When you reviewed a changed privacy policy."


@personal_data.register(PrivacySignal)
class PrivacySignalData(personal_data.PersonalData):
    record_name = "Global Privacy Control signals"
    subject = "user"
    fields = {"gpc_first_seen_at": Category.PREFERENCES, "gpc_last_seen_at": Category.PREFERENCES}
    purposes = ["legal_duties"]
    source = Source.OBSERVED
    retention = Retention(from_field="gpc_last_seen_at", years=1, action=Action.DELETE, event="the last signal")
    erasure = Erasure.delete()
    description = "That your browser sends the Global Privacy Control signal, which we honour."


@personal_data.register(Restriction)
class RestrictionData(personal_data.PersonalData):
    record_name = "Processing restrictions"
    subject = "user"
    subject_email = "email"
    fields = {"email": Category.CONTACT, "reason": Category.CORRESPONDENCE, "scope": Category.PREFERENCES}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["legal_duties"]
    source = Source.STAFF
    retention = Retention(
        from_field="ended_at", years=1, action=Action.DELETE, condition=Q(ended_at__isnull=False), event="it ended"
    )
    erasure = Erasure.delete()
    description = "Restrictions of processing you asked for."


@personal_data.register(AuditEvent)
class AuditEventData(personal_data.PersonalData):
    record_name = "Privacy audit log"
    # Who acted (staff or the customer themselves) and on whose record; never the values.
    subject = "actor"
    fields = {"actor_label": Category.ACCOUNT, "subject_id": Category.ACCOUNT}
    field_labels = {"actor_label": "who acted", "subject_id": "whose record"}
    not_exported = {"subject_id": "Whose record it was: for staff, other people's account numbers."}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["legal_duties", "fraud_prevention"]
    source = Source.GENERATED
    retention = Retention(from_field="created_at", years=6, action=Action.DELETE, event="the event")
    erasure = Erasure.keep(ACCOUNTABILITY)
    description = "The audit log of access to and changes of personal data."


@personal_data.register(Disclosure)
class DisclosureData(personal_data.PersonalData):
    record_name = "Disclosures to authorities"
    subject = "subject"
    fields = {"subject_description": Category.IDENTITY, "categories": Category.ACCOUNT}
    field_labels = {"subject_description": "whom it concerned", "categories": "kinds of data disclosed"}
    not_exported = {
        "reference": "The authority's own reference, withheld where telling could prejudice its inquiry.",
        "notes": "Staff's working notes; what was disclosed, to whom and why is in the export.",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["legal_duties"]
    source = Source.STAFF
    retention = Retention(from_field="disclosed_on", years=6, action=Action.DELETE, event="the disclosure")
    erasure = Erasure.keep("Records of disclosures the law required (P09)")
    description = "Disclosures to authorities that the law required."


#: Closed requests are kept two years as proof of how they were answered, then deleted.
CLOSED_REQUEST = Q(status__in=SubjectRequest.CLOSED_STATUSES)


@personal_data.register(SubjectRequest)
class SubjectRequestData(personal_data.PersonalData):
    record_name = "Privacy requests"
    subject = "user"
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "details": Category.CORRESPONDENCE,
        "changes": Category.CORRESPONDENCE,
        "verification_note": Category.CORRESPONDENCE,
    }
    field_labels = {"changes": "corrections asked for", "verification_note": "how we confirmed who you are"}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["legal_duties", "identity_verification"]
    retention = Retention(
        from_field="closed_at", years=2, action=Action.DELETE, condition=CLOSED_REQUEST, event="the request was closed"
    )
    # The request that asked for the erasure stays as proof it was answered, with the closed
    # account's number but without the person's words or address.
    erasure = Erasure.keep(ACCOUNTABILITY, fields=["user"])
    description = "Requests you made to exercise your privacy rights, and how we answered them."


@personal_data.register(SubjectRequestEvent)
class SubjectRequestEventData(personal_data.PersonalData):
    record_name = "Privacy request timeline"
    # Who moved a request on (staff id or "requester"), never what the person asked.
    subject = "actor"
    fields = {"actor_label": Category.ACCOUNT}
    field_labels = {"actor_label": "who acted"}
    not_exported = {
        "actor_label": "Which member of staff moved the request on: their identity, not yours.",
        "note": "Staff's working note; the request's outcome is in Privacy requests.",
    }
    purposes = ["legal_duties"]
    source = Source.GENERATED
    retention = Retention(
        from_field="request__closed_at",
        years=2,
        action=Action.DELETE,
        condition=Q(request__status__in=SubjectRequest.CLOSED_STATUSES),
        event="its request was closed",
    )
    erasure = Erasure.keep(ACCOUNTABILITY)
    description = "Each step in handling a privacy request: when it moved, and who moved it."


@personal_data.register(ProcessorStep)
class ProcessorStepData(personal_data.PersonalData):
    record_name = "Notices to our processors"
    subject = "request__user"
    fields = {"payload": Category.PAYMENT}
    field_labels = {"payload": "the processor's reference for you"}
    purposes = ["legal_duties"]
    source = Source.GENERATED
    retention = Retention(from_field="created_at", years=2, action=Action.DELETE, event="the notice")
    erasure = Erasure.keep(ACCOUNTABILITY, fields=[])
    description = "That we told the services we use to erase or correct your data, and when they did."


@personal_data.register(DataExport)
class DataExportData(personal_data.PersonalData):
    record_name = "Data downloads"
    subject = "user"
    subject_email = "email"
    fields = {"email": Category.CONTACT, "file_name": Category.ACCOUNT}
    field_labels = {"file_name": "the prepared download"}
    not_exported = {
        "token": "The secret in the download link.",
        "file_name": "Where the file lies on our servers; the download itself is the copy.",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["legal_duties"]
    source = Source.GENERATED
    retention = Retention(from_field="expires_at", days=1, action=Action.DELETE, event="the download expired")
    erasure = Erasure.delete()
    description = "Copies of your data we prepared for you to download; each expires after 7 days."


personal_data.exempt(
    Suppression,
    reason="Keyed hashes (HMAC-SHA256 with a key of its own) of erased people's email addresses and phone "
    "numbers, so that they are never marketed to again; nothing in it can be read back.",
)


# --- cookies (P29-P31) -------------------------------------------------------------------
cookies.declare(
    privacy_settings.CONSENT_COOKIE_NAME,
    category=cookies.NECESSARY,
    party=cookies.KINETOGRAM,
    lifetime="6 months",
    max_age=privacy_settings.CONSENT_COOKIE_AGE,
    purpose="Remembers your cookie choices: a random consent id, the categories you allowed and the policy "
    "version you answered, signed so nobody can change it. It holds nothing about who you are.",
)
