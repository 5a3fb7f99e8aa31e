"""The inbound keyword parser (OPT-04): a pure function, proved with Hypothesis properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketing.sms.keywords import OPT_IN_WORDS, OPT_OUT_WORDS, Keyword, normalise, parse_keyword

#: OPT-04's list, as carriers and people type them.
OPT04_OPT_OUTS = ["STOP", " stop ", "Stop", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
PLAIN_LANGUAGE = [
    "STOP PLEASE",
    "stop please",
    "OPT OUT",
    "opt-out",
    "no more texts",
    "No more messages!",
    "please stop texting me",
    "Please STOP.",
    "Can you stop sending these",
    "unsubscribe me",
    "Don't text me again",
    "do not message me",
    "remove me from your list",
]
#: Words that never ask to stop or start: what an ordinary reply is made of.
SAFE_WORDS = ["thanks", "great", "offer", "when", "price", "hello", "is", "the", "audit", "ok", "friday", "weekend"]


def cased(word, flips):
    return (
        "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(word, flips, strict=False)) + word[len(flips) :]
    )


@pytest.mark.parametrize("body", OPT04_OPT_OUTS)
def test_opt04_each_carrier_keyword_opts_out(body):
    assert parse_keyword(body) is Keyword.OPT_OUT


@pytest.mark.parametrize("body", PLAIN_LANGUAGE)
def test_opt04_plain_language_requests_opt_out(body):
    assert parse_keyword(body) is Keyword.OPT_OUT


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("START", Keyword.OPT_IN),
        ("unstop", Keyword.OPT_IN),
        (" Yes ", Keyword.OPT_IN),
        ("HELP", Keyword.HELP),
        ("info", Keyword.HELP),
        ("Hello there", Keyword.NONE),
        ("", Keyword.NONE),
    ],
)
def test_opt04_start_help_and_anything_else(body, expected):
    assert parse_keyword(body) is expected


@given(
    word=st.sampled_from(sorted(OPT_OUT_WORDS)),
    flips=st.lists(st.booleans(), max_size=12),
    before=st.text(alphabet=" \t\n.!?,", max_size=4),
    after=st.text(alphabet=" \t\n.!?,", max_size=4),
)
def test_opt04_property_an_opt_out_word_in_any_case_and_padding_opts_out(word, flips, before, after):
    assert parse_keyword(before + cased(word, flips) + after) is Keyword.OPT_OUT


@given(word=st.sampled_from(sorted(OPT_OUT_WORDS)), rest=st.text(max_size=60))
def test_opt04_property_a_message_starting_with_an_opt_out_word_opts_out_whatever_follows(word, rest):
    assert parse_keyword(f"{word} {rest}") is Keyword.OPT_OUT


@given(word=st.sampled_from(sorted(OPT_IN_WORDS)), flips=st.lists(st.booleans(), max_size=6))
def test_opt04_property_only_a_whole_start_word_opts_back_in(word, flips):
    assert parse_keyword(f"  {cased(word, flips)}! ") is Keyword.OPT_IN
    # Anything more is not a clear "start again": it never signs someone up.
    assert parse_keyword(f"{word} stop") is Keyword.OPT_OUT
    assert parse_keyword(f"{word} thanks") is not Keyword.OPT_IN


@given(words=st.lists(st.sampled_from(SAFE_WORDS), min_size=1, max_size=8))
def test_opt04_property_ordinary_replies_never_opt_out_or_in(words):
    assert parse_keyword(" ".join(words)) is Keyword.NONE


@given(body=st.text(max_size=200))
def test_opt04_property_the_parser_never_raises_and_ignores_case_and_punctuation(body):
    keyword = parse_keyword(body)
    assert isinstance(keyword, Keyword)
    assert parse_keyword(normalise(body)) is keyword
    assert parse_keyword(body.upper()) is parse_keyword(body.lower()) or not body.isascii()
