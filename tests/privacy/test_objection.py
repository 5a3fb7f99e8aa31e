"""Objection (P22, PR-08) and the one marketing question every sender asks (P05, P23, P27)."""

import datetime

import pytest
from django.utils import timezone

from privacy.models import ConsentEvent, Suppression
from privacy.selectors import consent_is_granted, has_objected, marketing_allowed
from privacy.services import consent_grant, objection_record, objection_withdraw, restriction_create
from privacy.subjects import keyed_hash
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _opted_in(user):
    for purpose in ("email_marketing", "sms_marketing"):
        consent_grant(purpose=purpose, source="account", wording="Yes please", user=user)


def test_p22_one_objection_stops_email_text_post_and_tailored_offers_at_once(django_capture_on_commit_callbacks):
    from privacy import signals

    user = UserFactory()
    _opted_in(user)
    heard = []
    signals.objection_recorded.connect(
        lambda **kw: heard.append(kw["purposes"]), weak=False, dispatch_uid="t-objection"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            objection_record(user=user, source="account")
    finally:
        signals.objection_recorded.disconnect(dispatch_uid="t-objection")
    for purpose in ("email_marketing", "sms_marketing", "postal_marketing", "tailored_offers"):
        assert not marketing_allowed(purpose, user=user), purpose
    assert has_objected("postal_marketing", user=user) and has_objected("tailored_offers", user=user)
    assert not consent_is_granted("email_marketing", user=user)
    assert heard == [("postal_marketing", "tailored_offers")]
    actions = sorted(ConsentEvent.objects.filter(user=user).values_list("purpose", "action"))
    assert ("postal_marketing", "objected") in actions and ("email_marketing", "withdrawn") in actions


def test_p22_an_objection_can_be_withdrawn_and_consents_stay_the_persons_own_choice():
    user = UserFactory()
    _opted_in(user)
    objection_record(user=user, source="account")
    objection_withdraw(user=user, source="account")
    assert marketing_allowed("postal_marketing", user=user)
    assert marketing_allowed("tailored_offers", user=user)
    assert not marketing_allowed("email_marketing", user=user)  # withdrawn, not given back silently


def test_p22_a_person_without_an_account_objects_by_email():
    objection_record(email="Guest@Example.com", source="request")
    assert has_objected("postal_marketing", email="guest@example.com")
    assert not marketing_allowed("postal_marketing", email="guest@example.com")
    assert marketing_allowed("postal_marketing", email="other@example.com")


def test_p22_nobody_can_object_to_a_purpose_that_is_not_objectable():
    with pytest.raises(ValueError):
        has_objected("provide_services", user=None, email="a@example.com")
    with pytest.raises(ValueError):
        objection_record(email="a@example.com", purposes=["legal_duties"], source="account")
    assert not ConsentEvent.objects.exists()


def test_p23_a_restricted_person_is_not_marketed_to_even_with_consent():
    user = UserFactory()
    _opted_in(user)
    assert marketing_allowed("email_marketing", user=user)
    restriction_create(
        user=user,
        scope="marketing",
        reason="Disputes accuracy",
        review_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert not marketing_allowed("email_marketing", user=user)
    assert marketing_allowed("tailored_offers", user=user)  # profiling is another scope


def test_p20_a_suppressed_address_is_never_marketed_to():
    Suppression.objects.create(kind="email", digest=keyed_hash("email", "gone@example.com"))
    consent_grant(purpose="email_marketing", source="account", wording="Yes", email="gone@example.com")
    assert not marketing_allowed("email_marketing", email="GONE@example.com")


def test_p27_marketing_allowed_refuses_an_unknown_purpose():
    with pytest.raises(ValueError):
        marketing_allowed("provide_services", email="a@example.com")
