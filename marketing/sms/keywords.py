"""What an inbound text asks for: opt out, opt back in, help, or nothing we act on (OPT-04).

A pure function of the message body, so it is tested on its own with Hypothesis. Opting
out is read generously, as the FCC's 2025 rule asks ("any reasonable means"): the carrier
keywords as a whole message or as its first word ("STOP please"), and plain requests
("please stop texting me", "no more texts"). Opting back in is read strictly: only a whole
message of START, UNSTOP or YES, so nothing ambiguous ever signs someone up.
"""

import enum
import re
import unicodedata


class Keyword(enum.Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    NONE = "none"


#: Twilio's default opt-out list plus REVOKE and OPTOUT (the FCC's 2025 examples).
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
#: Words that ask to stop wherever they stand in the message ("can you stop", "unsubscribe me").
OPT_OUT_ANYWHERE = frozenset({"stop", "stopall", "unsubscribe", "optout", "revoke"})
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})
HELP_WORDS = frozenset({"help", "info"})
TEXT_WORDS = r"(?:texts?|texting|messages?|messaging|sms|alerts?|marketing|offers?)"
OPT_OUT_PHRASES = re.compile(
    rf"\b(?:opt out|no more {TEXT_WORDS}|(?:dont|do not|never) (?:text|message|sms|contact)"
    rf"|remove me|take me off|leave me alone|not interested)\b"
)


def normalise(body: str) -> str:
    """Lower case, accents and punctuation gone, apostrophes dropped ("don't" → "dont"),
    one space between words."""
    text = unicodedata.normalize("NFKD", body or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’‘`]", "", text)
    text = re.sub(r"[^\w]+|_", " ", text)
    return " ".join(text.split())


def parse_keyword(body: str) -> Keyword:
    """The request ``body`` makes. Never raises, whatever the text."""
    text = normalise(body)
    words = text.split()
    if not words:
        return Keyword.NONE
    if len(words) == 1 and words[0] in OPT_IN_WORDS:
        return Keyword.OPT_IN
    if words[0] in OPT_OUT_WORDS or OPT_OUT_ANYWHERE.intersection(words) or OPT_OUT_PHRASES.search(text):
        return Keyword.OPT_OUT
    if words[0] in HELP_WORDS:
        return Keyword.HELP
    return Keyword.NONE
