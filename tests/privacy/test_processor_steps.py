"""PR-03: an erasure reaches the processors (GDPR Art. 17(2), 19): the Stripe customer is deleted
through the gateway, the email provider suppresses the address; failures are retried with
backoff and, for good, left visible to staff in the admin."""

import json

import pytest
import responses
from celery.exceptions import Retry

from privacy.models import ProcessorStep
from privacy.services import subject_erase
from privacy.subjects import Subject
from privacy.tasks import PROCESSOR_STEP_RETRIES, processor_step_run
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.people import fresh_storages  # noqa: F401
from tests.shop.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storages")]

POSTMARK = "https://api.postmarkapp.com/message-streams/outbound/suppressions"


@pytest.fixture
def postmark(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token-test"}
    with responses.RequestsMock() as mocked:
        mocked.post(
            POSTMARK,
            json={"Suppressions": [{"EmailAddress": "x", "Status": "Suppressed", "Message": None}]},
        )
        yield mocked


def customer_with_stripe_orders(email="ada@example.com"):
    user = UserFactory(email=email)
    OrderFactory(user=user, stripe_customer_id="cus_ada1")
    OrderFactory(user=user, stripe_customer_id="cus_ada1")
    return user


def steps(handler):
    return list(ProcessorStep.objects.filter(handler=handler).order_by("pk"))


def test_pr03_one_stripe_delete_and_one_provider_suppression_per_subject(
    fake_gateway, postmark, django_capture_on_commit_callbacks
):
    user = customer_with_stripe_orders()

    with django_capture_on_commit_callbacks(execute=True):
        result = subject_erase(subject=Subject.of(user=user))

    assert fake_gateway.deleted_customers == ["cus_ada1"]
    assert len(postmark.calls) == 1
    call = postmark.calls[0].request
    assert json.loads(call.body) == {"Suppressions": [{"EmailAddress": "ada@example.com"}]}
    assert call.headers["X-Postmark-Server-Token"] == "server-token-test"
    done = [(s.handler, s.action, s.status, s.payload, s.attempts, s.erasure) for s in ProcessorStep.objects.all()]
    assert sorted(done) == [
        ("email.suppress_address", "erase", "done", {}, 1, result.log_id),
        ("stripe.erase_customer", "erase", "done", {}, 1, result.log_id),
    ]


def test_pr03_steps_run_only_once_the_erasure_has_committed(fake_gateway, django_capture_on_commit_callbacks):
    user = customer_with_stripe_orders()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        subject_erase(subject=Subject.of(user=user))

    assert fake_gateway.deleted_customers == []
    assert [s.status for s in steps("stripe.erase_customer")] == ["pending"]
    assert [s.payload for s in steps("stripe.erase_customer")] == [{"customer": "cus_ada1"}]
    assert len(callbacks) == 2  # the steps, and the prepared downloads' files


def test_pr03_a_failing_step_is_retried_until_it_succeeds(fake_gateway, django_capture_on_commit_callbacks):
    user = customer_with_stripe_orders()
    fake_gateway.customer_failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=Subject.of(user=user))
    [step] = steps("stripe.erase_customer")
    assert (step.status, step.attempts) == ("failed", 1)

    # Eager mode does not redeliver: play the worker's part, one delivery per retry.
    with pytest.raises(Retry):
        processor_step_run.apply(args=[step.pk], retries=1)
    processor_step_run.apply(args=[step.pk], retries=2)

    step.refresh_from_db()
    assert (step.status, step.attempts, step.payload, step.last_error) == ("done", 3, {}, "")
    assert fake_gateway.deleted_customers == ["cus_ada1"]


def test_pr03_a_step_that_keeps_failing_backs_off_gives_up_and_staff_see_it_in_the_admin(
    fake_gateway, client, django_capture_on_commit_callbacks
):
    user = customer_with_stripe_orders()
    fake_gateway.customer_failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=Subject.of(user=user))
    [step] = steps("stripe.erase_customer")

    waits = []
    for retries in range(1, PROCESSOR_STEP_RETRIES):
        with pytest.raises(Retry) as retry:
            processor_step_run.apply(args=[step.pk], retries=retries)
        waits.append(retry.value.when)
    processor_step_run.apply(args=[step.pk], retries=PROCESSOR_STEP_RETRIES)

    step.refresh_from_db()
    assert all(0 <= wait <= 30 * 2**n for n, wait in enumerate(waits, start=1))
    assert (step.status, step.attempts) == ("gave_up", PROCESSOR_STEP_RETRIES + 1)
    assert step.last_error == "TransientPaymentError: APIConnectionError"
    assert step.payload == {"customer": "cus_ada1"}  # kept, so staff can act
    staff_login(client, StaffFactory())
    page = client.get("/admin/privacy/processorstep/?status__exact=gave_up")
    assert page.status_code == 200
    assert "stripe.erase_customer" in page.content.decode()
    assert "Failed for good: staff must act" in page.content.decode()

    fake_gateway.customer_failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/privacy/processorstep/", {"action": "run_again", "_selected_action": [step.pk]}, follow=True
        )

    step.refresh_from_db()
    assert "1 step queued again." in response.content.decode()
    assert (step.status, step.payload) == ("done", {})
    assert fake_gateway.deleted_customers == ["cus_ada1"]


def test_pr03_staff_without_the_request_permission_cannot_run_steps_again(client):
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_processorstep"))
    staff_login(client, staff)

    page = client.get("/admin/privacy/processorstep/")

    assert page.status_code == 200
    assert "run_again" not in page.content.decode()


def test_pr03_a_backend_that_keeps_no_addresses_records_the_step_as_not_applicable(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="plain@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=Subject.of(user=user))

    [step] = steps("email.suppress_address")
    assert (step.status, step.payload) == ("skipped", {})
    assert step.outcome == "The email backend (django.core.mail.backends.locmem) keeps no list of addresses."
    assert step.get_status_display() == "Not applicable: the provider keeps nothing to act on"


def test_pr03_the_demo_payment_has_no_customer_to_delete(settings, django_capture_on_commit_callbacks):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    user = customer_with_stripe_orders()

    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=Subject.of(user=user))

    [step] = steps("stripe.erase_customer")
    assert (step.status, step.outcome) == ("skipped", "The demo payment keeps no customer at a payment provider.")


def test_pr03_a_redelivered_task_does_nothing_to_a_finished_step(fake_gateway, django_capture_on_commit_callbacks):
    user = customer_with_stripe_orders()
    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=Subject.of(user=user))
    [step] = steps("stripe.erase_customer")

    processor_step_run.delay(step.pk)

    step.refresh_from_db()
    assert (step.status, step.attempts) == ("done", 1)
    assert fake_gateway.deleted_customers == ["cus_ada1"]
