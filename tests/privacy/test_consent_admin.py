"""The consent ledger in the admin: read-only, filterable by purpose, action, source and date."""

import pytest
from django.contrib.auth.models import Permission

from privacy.models import AuditEvent, ConsentEvent
from privacy.services import consent_grant, consent_withdraw, objection_record
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login

pytestmark = pytest.mark.django_db

URL = "/admin/privacy/consentevent/"


@pytest.fixture
def staff(client):
    user = StaffFactory()
    staff_login(client, user)
    return user


@pytest.fixture
def ledger():
    ada, grace = UserFactory(email="ada@example.com"), UserFactory(email="grace@example.com")
    consent_grant(user=ada, purpose="email_marketing", source="signup", wording="Email me offers.")
    consent_withdraw(user=ada, purpose="email_marketing", source="account", wording="Stop email offers.")
    consent_grant(user=grace, purpose="sms_marketing", source="signup", wording="Text me offers.")
    objection_record(user=grace, purposes=["postal_marketing"], source="account")
    return ada, grace


def _listed(response):
    return sorted((e.user.email, e.purpose, e.action) for e in response.context["cl"].result_list)


def test_opt06_consent_records_are_listed_with_filters_by_purpose_action_source_and_date(client, staff, ledger):
    response = client.get(URL)

    assert response.status_code == 200
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert filters == ["purpose", "action", "source", "created at"]
    assert len(response.context["cl"].result_list) == 4


ADA_GIVEN = ("ada@example.com", "email_marketing", "given")
ADA_WITHDRAWN = ("ada@example.com", "email_marketing", "withdrawn")
GRACE_SMS = ("grace@example.com", "sms_marketing", "given")
GRACE_OBJECTS = ("grace@example.com", "postal_marketing", "objected")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("purpose__exact=email_marketing", [ADA_GIVEN, ADA_WITHDRAWN]),
        ("action__exact=objected", [GRACE_OBJECTS]),
        ("source__exact=signup", [ADA_GIVEN, GRACE_SMS]),
        ("q=grace@", [GRACE_OBJECTS, GRACE_SMS]),
    ],
)
def test_opt06_consent_records_filter_and_search(client, staff, ledger, query, expected):
    assert _listed(client.get(f"{URL}?{query}")) == expected


def test_opt06_consent_records_cannot_be_added_changed_or_deleted_in_the_admin(client, staff, ledger):
    event = ConsentEvent.objects.filter(action="given").first()
    count = ConsentEvent.objects.count()

    add = client.get(f"{URL}add/")
    detail = client.get(f"{URL}{event.pk}/change/")
    change = client.post(f"{URL}{event.pk}/change/", {"action": "withdrawn"})
    delete = client.post(f"{URL}{event.pk}/delete/", {"post": "yes"})

    assert (add.status_code, detail.status_code, change.status_code, delete.status_code) == (403, 200, 403, 403)
    assert b'name="_save"' not in detail.content
    assert event.wording in detail.content.decode()
    assert client.get(URL).context["cl"].model_admin.get_actions(detail.wsgi_request) == {}
    assert ConsentEvent.objects.count() == count
    assert ConsentEvent.objects.get(pk=event.pk).action == "given"


def test_lg01_opening_a_consent_record_is_audited(client, staff, ledger):
    event = ConsentEvent.objects.first()
    before = AuditEvent.objects.count()

    client.get(f"{URL}{event.pk}/change/")

    assert AuditEvent.objects.count() == before + 1
    opened = AuditEvent.objects.latest("id")
    assert (opened.action, opened.model, opened.object_id, opened.actor) == (
        "view",
        "privacy.ConsentEvent",
        str(event.pk),
        staff,
    )


def test_ac02_staff_without_the_view_permission_get_403(client, ledger):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    staff_login(client, clerk)

    assert client.get(URL).status_code == 403
