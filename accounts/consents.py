"""The words customers see when they give or withdraw marketing consent (P05, P27).

Shown exactly as written at sign-up and on the preferences page; the consent ledger
records them with their hash (OPT-06), so changing a sentence here is a new wording.
"""

from privacy.purposes import MARKETING_CONSENT_PURPOSES as MARKETING_PURPOSES  # noqa: F401

OPT_IN_WORDING = {
    "email_marketing": (
        "Email me offers and news about Kinetogram's services. "
        "I can stop them at any time from my account or with the link in every email."
    ),
    "sms_marketing": (
        "Text me offers and alerts about Kinetogram's services. "
        "I can stop them at any time from my account or by replying STOP."
    ),
}

WITHDRAW_WORDING = {
    "email_marketing": "Stop email offers: we will send you no more marketing emails.",
    "sms_marketing": "Stop text offers: we will send you no more marketing text messages.",
}
