"""Unsubscribe tokens (OPT-02): signed, never expiring, and any change to one is refused."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from marketing.tokens import InvalidToken, unsubscribe_token, unsubscribe_token_read

ids = st.integers(min_value=1, max_value=2**53)
campaigns = st.none() | ids
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:="


@given(user_id=ids, campaign_id=campaigns)
def test_opt02_a_token_reads_back_as_the_account_and_campaign_it_was_made_for(user_id, campaign_id):
    token = unsubscribe_token(user_id=user_id, campaign_id=campaign_id)
    assert unsubscribe_token_read(token) == (user_id, campaign_id)
    assert "/" not in token and "?" not in token  # one URL path segment


@given(user_id=ids, campaign_id=campaigns, data=st.data())
def test_opt02_changing_any_one_character_of_a_token_is_refused(user_id, campaign_id, data):
    token = unsubscribe_token(user_id=user_id, campaign_id=campaign_id)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from(TOKEN_ALPHABET))
    assume(replacement != token[position])
    tampered = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(InvalidToken):
        unsubscribe_token_read(tampered)


@given(user_id=ids, data=st.data())
def test_opt02_a_cut_short_or_lengthened_token_is_refused(user_id, data):
    token = unsubscribe_token(user_id=user_id)
    cut = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    extra = data.draw(st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=8))
    for changed in (token[:cut], token + extra, extra + token):
        with pytest.raises(InvalidToken):
            unsubscribe_token_read(changed)


@given(text=st.text(max_size=120))
def test_opt02_made_up_text_is_never_a_token(text):
    with pytest.raises(InvalidToken):
        unsubscribe_token_read(text)


def test_opt02_a_token_signed_with_another_salt_or_key_is_refused(settings):
    from django.core import signing

    other_salt = signing.Signer(salt="accounts.something-else").sign_object({"u": 7})
    with pytest.raises(InvalidToken):
        unsubscribe_token_read(other_salt)
    token = unsubscribe_token(user_id=7)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    with pytest.raises(InvalidToken):
        unsubscribe_token_read(token)


def test_opt02_a_token_keeps_working_through_a_key_rotation(settings):
    token = unsubscribe_token(user_id=7, campaign_id=3)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-key-" + "y" * 50
    assert unsubscribe_token_read(token) == (7, 3)


def test_opt02_the_signature_is_an_hmac_of_at_least_128_bits():
    token = unsubscribe_token(user_id=1)
    signature = token.rsplit(":", 1)[1]
    assert len(signature) * 6 >= 256  # base64 of HMAC-SHA256
