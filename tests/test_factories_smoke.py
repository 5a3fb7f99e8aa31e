import pytest

from tests.shop.factories import OrderLineFactory, ReviewFactory, SavedSearchFactory, SubscriptionFactory


@pytest.mark.django_db
def test_factories_build_valid_rows():
    line = OrderLineFactory()
    assert line.order.user.emailaddress_set.get().verified
    assert SubscriptionFactory().order.mode == "subscription"
    assert ReviewFactory().status == "approved"
    assert SavedSearchFactory().user.check_password("Blue-harbour-42")
