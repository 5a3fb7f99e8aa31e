"""P08 processors and P09 disclosures to authorities, recorded by staff in the admin."""

import datetime

import pytest

from privacy.models import AuditEvent, Disclosure, Processor
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import DisclosureFactory, ProcessorFactory


@pytest.fixture
def staff(client):
    member = StaffFactory()
    staff_login(client, member)
    return member


@pytest.mark.django_db
def test_p08_processor_list_shows_kind_readable_categories_location_and_contract_date(client, staff):
    ProcessorFactory(name="Mailgun Technologies", kind="email", categories=["contact", "correspondence"])

    response = client.get("/admin/privacy/processor/?q=mailgun")

    assert response.status_code == 200
    assert [p.name for p in response.context["cl"].result_list] == ["Mailgun Technologies"]
    html = response.content.decode()
    assert "Email and messaging" in html
    assert "Contact details (email, phone), Correspondence with us" in html
    assert "United Kingdom" in html
    assert "1 Mar 2024" in html


@pytest.mark.django_db
def test_p08_staff_add_a_processor_with_categories_ticked_as_checkboxes(client, staff):
    form_page = client.get("/admin/privacy/processor/add/")
    assert 'type="checkbox" name="categories" value="payment"' in form_page.content.decode()

    response = client.post(
        "/admin/privacy/processor/add/",
        {
            "name": "Parcelnet",
            "kind": "delivery",
            "categories": ["identity", "address"],
            "purpose": "Delivering printed campaign material.",
            "location": "United Kingdom",
            "contract_date": "2025-01-15",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    processor = Processor.objects.get(name="Parcelnet")
    assert processor.categories == ["identity", "address"]
    assert processor.contract_date == datetime.date(2025, 1, 15)


def _disclosure_form(**overrides):
    return {
        "recipient": "Metropolitan Police",
        "reference": "CAD 2231/25",
        "legal_basis": "Data Protection Act 2018, Schedule 2 para 2 (crime prevention)",
        "disclosed_on": "2025-06-02",
        "categories": ["identity", "orders"],
        "notes": "",
        "subject": "",
        "subject_description": "",
        **overrides,
    }


@pytest.mark.django_db
def test_p09_disclosure_recorded_by_staff_is_attributed_and_audited(client, staff):
    customer = UserFactory(email="ada@example.com", full_name="Ada Lovelace")

    response = client.post("/admin/privacy/disclosure/add/", _disclosure_form(subject=str(customer.pk)))

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert (disclosure.recorded_by, disclosure.subject, disclosure.categories) == (
        staff,
        customer,
        ["identity", "orders"],
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.model, event.object_id, event.subject_id, event.actor_id) == (
        "disclose",
        "privacy.Disclosure",
        str(disclosure.pk),
        str(customer.pk),
        staff.pk,
    )
    assert event.detail == "categories: identity, orders"
    assert "ada@example.com" not in event.detail and "Lovelace" not in event.detail


@pytest.mark.django_db
def test_p09_disclosure_about_someone_without_an_account_takes_a_description(client, staff):
    response = client.post("/admin/privacy/disclosure/add/", _disclosure_form(subject_description="Caller ref 88"))

    assert response.status_code == 302
    assert Disclosure.objects.get().subject_description == "Caller ref 88"


@pytest.mark.django_db
def test_p09_disclosure_without_whom_it_concerns_is_refused_with_a_message(client, staff):
    response = client.post("/admin/privacy/disclosure/add/", _disclosure_form())

    assert response.status_code == 200
    assert "Say whom the disclosure concerns" in response.content.decode()
    assert Disclosure.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_p09_disclosure_records_cannot_be_deleted_and_their_views_are_audited(client, staff):
    disclosure = DisclosureFactory()

    assert client.get(f"/admin/privacy/disclosure/{disclosure.pk}/change/").status_code == 200
    assert client.post(f"/admin/privacy/disclosure/{disclosure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Disclosure.objects.count() == 1
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["view"]


@pytest.mark.django_db
def test_p09_disclosure_list_uses_a_constant_number_of_queries(client, staff, django_assert_max_num_queries):
    DisclosureFactory.create_batch(3, subject=UserFactory(), recorded_by=staff)
    with django_assert_max_num_queries(15) as few:
        client.get("/admin/privacy/disclosure/")
    DisclosureFactory.create_batch(10, subject=UserFactory(), recorded_by=staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/admin/privacy/disclosure/")
    assert len(response.context["cl"].result_list) == 13
