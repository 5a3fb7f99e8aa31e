"""``manage.py privacy_erase``: the same erasure service as the admin and the web (P20, P12)."""

import io

import pytest
from django.core.management import CommandError, call_command

from privacy import erasure_log
from privacy.services.erasure import CHILD_ACCOUNT
from shop.models import Order, Subscription
from tests.accounts.factories import UserFactory
from tests.privacy.people import fresh_storages  # noqa: F401
from tests.shop.factories import OrderFactory, SubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storages")]


def erase(*args):
    out = io.StringIO()
    call_command("privacy_erase", *args, stdout=out)
    return out.getvalue()


def test_p20_privacy_erase_refuses_without_yes_and_shows_what_it_would_do():
    user = UserFactory(email="ada@example.com")
    OrderFactory(user=user)
    out = io.StringIO()

    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("privacy_erase", "--email", "ada@example.com", stdout=out)

    assert "Orders (shop.Order): 1, kept: Tax law" in out.getvalue()
    user.refresh_from_db()
    assert user.email == "ada@example.com"
    assert erasure_log.entry_ids() == []


def test_p20_privacy_erase_with_yes_erases_the_account_and_the_guest_rows_of_its_address():
    user = UserFactory(email="ada@example.com")
    OrderFactory(user=None, email="ADA@example.com")

    out = erase("--email", "Ada@Example.com", "--yes")

    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert Order.objects.get().email == "erased@erased.invalid"
    [entry_id] = erasure_log.entry_ids()
    assert f"Erased (log entry {entry_id})." in out
    assert "shop.Order" in out and "kept 1" in out


def test_p12_privacy_erase_records_a_childs_account_as_the_reason():
    UserFactory(email="kid@example.com")

    erase("--email", "kid@example.com", "--yes", "--reason", "child")

    assert erasure_log.read(erasure_log.entry_ids()[0])["reason"] == CHILD_ACCOUNT


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No account or record holds nobody@example.com: there is nothing to erase."),
        ("not-an-address", "'not-an-address' is not an email address."),
    ],
)
def test_p20_privacy_erase_says_clearly_when_there_is_nobody_to_erase(email, message):
    with pytest.raises(CommandError, match=message):
        erase("--email", email, "--yes")


def test_p20_privacy_erase_reports_a_refusal_and_changes_nothing():
    user = UserFactory(email="runs@example.com")
    SubscriptionFactory(user=user, status=Subscription.Status.PAST_DUE)

    with pytest.raises(CommandError, match="Erasure refused: A subscription is still running"):
        erase("--email", "runs@example.com", "--yes")

    user.refresh_from_db()
    assert user.is_active
