"""The set-based marketing audience (P05, P22, P23, P27): the same answer as ``marketing_allowed``
for every person, in one statement, and the per-batch suppression check (P20)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from privacy.models import Suppression
from privacy.selectors import marketing_allowed, marketing_audience, suppressed_among
from privacy.services import consent_grant, consent_withdraw, objection_record, restriction_create
from privacy.subjects import keyed_hash
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
REVIEW_ON = datetime.date(2030, 1, 1)


def _people():
    """Eight customers, one of each state that matters."""
    people = {
        name: UserFactory(email=f"{name}@example.com")
        for name in (
            "agreed",
            "never",
            "withdrew",
            "objected",
            "restricted",
            "restricted_profiling",
            "emailed_objection",
            "other",
        )
    }
    for name in ("agreed", "withdrew", "objected", "restricted", "restricted_profiling", "emailed_objection"):
        consent_grant(purpose="email_marketing", source="account", wording="Yes", user=people[name])
    consent_withdraw(purpose="email_marketing", source="account", wording="No", user=people["withdrew"])
    objection_record(user=people["objected"], source="account")
    objection_record(email="EMAILED_objection@example.com", source="request")
    restriction_create(user=people["restricted"], scope="marketing", reason="Disputes accuracy", review_on=REVIEW_ON)
    restriction_create(
        email="restricted_profiling@example.com", scope="profiling", reason="Objection pending", review_on=REVIEW_ON
    )
    return people


@pytest.mark.parametrize("purpose", ["email_marketing", "postal_marketing", "tailored_offers"])
def test_p27_the_audience_is_exactly_who_marketing_allowed_lets_through(purpose, django_assert_num_queries):
    people = _people()
    with django_assert_num_queries(1):
        audience = set(marketing_audience(purpose, get_user_model().objects.all()).values_list("email", flat=True))
    expected = {user.email for user in people.values() if marketing_allowed(purpose, user=user)}
    assert audience == expected
    assert audience  # the rule lets somebody through: the comparison is not vacuous


def test_p05_email_audience_is_only_people_who_agreed_and_did_not_object_or_get_restricted():
    _people()
    audience = marketing_audience("email_marketing", get_user_model().objects.order_by("email"))
    assert list(audience.values_list("email", flat=True)) == ["agreed@example.com", "restricted_profiling@example.com"]


def test_p22_an_objection_sent_from_an_accounts_address_stops_its_email_marketing():
    people = _people()
    assert not marketing_allowed("email_marketing", user=people["emailed_objection"])


def test_p23_an_ended_restriction_lets_the_person_back_into_the_audience():
    user = UserFactory()
    consent_grant(purpose="email_marketing", source="account", wording="Yes", user=user)
    restriction = restriction_create(user=user, scope="all", reason="Disputes accuracy", review_on=REVIEW_ON)
    assert not marketing_audience("email_marketing", get_user_model().objects.all()).exists()
    restriction.ended_at = timezone.now() - datetime.timedelta(seconds=1)
    restriction.save(update_fields=["ended_at"])
    assert list(marketing_audience("email_marketing", get_user_model().objects.all())) == [user]


def test_p27_the_audience_refuses_a_purpose_that_is_not_marketing():
    with pytest.raises(ValueError):
        marketing_audience("provide_services", get_user_model().objects.all())


def test_p20_suppressed_among_names_the_suppressed_values_of_a_batch_in_one_query(django_assert_num_queries):
    Suppression.objects.create(kind="email", digest=keyed_hash("email", "gone@example.com"))
    Suppression.objects.create(kind="phone", digest=keyed_hash("phone", "+447700900123"))
    with django_assert_num_queries(1):
        found = suppressed_among(
            emails=["kept@example.com", "GONE@example.com", ""], phones=["+44 7700 900123", "+447700900999"]
        )
    assert found == {"GONE@example.com", "+44 7700 900123"}
    with django_assert_num_queries(0):
        assert suppressed_among(emails=[""], phones=[]) == set()
