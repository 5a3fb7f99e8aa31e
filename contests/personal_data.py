"""Personal data held by contests and surveys (P02, P11): entries and survey answers."""

from contests.models import CONFIRM_LINK_DAYS, Answer, Draw, Entry, PendingEntry, Response
from privacy import registry as personal_data
from privacy.registry import Action, Category, CorrectedBy, Erasure, Retention, Source

#: P10: entries are kept a year after their contest closes (time to award the prize and answer
#: any complaint about the draw), then deleted.
ENTRY_RETENTION = Retention(from_field="contest__closes", years=1, action=Action.DELETE, event="the contest closed")
#: Survey answers are kept two years for research, then deleted.
SURVEY_RETENTION_YEARS = 2


@personal_data.register(Entry)
class EntryData(personal_data.PersonalData):
    record_name = "Contest entries"
    subject = "user"
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "verified_by": Category.ACCOUNT,
        "age_confirmed_at": Category.ACCOUNT,
        "asked_for_offers": Category.PREFERENCES,
        "entered_at": Category.ACCOUNT,
    }
    field_labels = {
        "age_confirmed_at": "when you confirmed you are 18 or over",
        "asked_for_offers": "you asked for email offers",
        "verified_by": "how we confirmed your entry",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["provide_services"]
    source = Source.CUSTOMER
    retention = ENTRY_RETENTION
    erasure = Erasure.delete()
    description = "Contests and sweepstakes you entered, and the address we would tell you at if you won."


@personal_data.register(PendingEntry)
class PendingEntryData(personal_data.PersonalData):
    record_name = "Unconfirmed contest entries"
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "age_confirmed_at": Category.ACCOUNT,
        "asked_for_offers": Category.PREFERENCES,
    }
    field_labels = {
        "age_confirmed_at": "when you confirmed you are 18 or over",
        "asked_for_offers": "you asked for email offers",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["provide_services", "identity_verification"]
    source = Source.CUSTOMER
    # The confirmation link stops working after CONFIRM_LINK_DAYS; the row goes a day later.
    retention = Retention(
        from_field="created_at", days=CONFIRM_LINK_DAYS + 1, action=Action.DELETE, event="the entry was made"
    )
    erasure = Erasure.delete()
    description = "A contest entry waiting for you to confirm your address with the link we emailed."


@personal_data.register(Response)
class ResponseData(personal_data.PersonalData):
    record_name = "Survey responses"
    subject = "user"
    fields = {"created_at": Category.FEEDBACK}
    field_labels = {"created_at": "when you answered"}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["research"]
    retention = Retention(
        from_field="created_at", years=SURVEY_RETENTION_YEARS, action=Action.DELETE, event="the survey was answered"
    )
    erasure = Erasure.delete()
    description = "Surveys you answered while signed in. Anonymous answers hold nothing that could name you."


@personal_data.register(Answer)
class AnswerData(personal_data.PersonalData):
    record_name = "Survey answers"
    subject = "response__user"
    fields = {"text": Category.FEEDBACK, "choice": Category.FEEDBACK, "rating": Category.FEEDBACK}
    field_labels = {"text": "your words", "choice": "the option you chose"}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["research"]
    retention = Retention(
        from_field="response__created_at",
        years=SURVEY_RETENTION_YEARS,
        action=Action.DELETE,
        event="the survey was answered",
    )
    erasure = Erasure.delete()
    description = "Your answers to each survey question."


personal_data.exempt(
    Draw,
    reason="How a contest's winner was drawn: a random seed and the ids of the entries in the draw. The "
    "winning entry (which names the person) is erased and purged as a contest entry; the draw then keeps only "
    "a number that points nowhere.",
)
