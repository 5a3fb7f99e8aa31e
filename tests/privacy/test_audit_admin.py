"""LG-01 and LG-02: staff access to personal data in the admin is audited; the log is read-only."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from privacy.db import purge_allowed
from privacy.models import AuditEvent
from shop.models import ConsultationRequest
from tests.accounts.factories import ProfileFactory, StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.shop.factories import OrderFactory, ReviewFactory, SubscriptionFactory

NAME, EMAIL = "Ada Lovelace", "ada.lovelace@example.com"


@pytest.fixture
def staff(client):
    member = StaffFactory(email="staff@example.com", full_name="Grace Staff")
    staff_login(client, member)
    return member


@pytest.fixture
def customer():
    return ProfileFactory(user__full_name=NAME, user__email=EMAIL).user


def _row_text(event):
    values = [event.actor_label, event.action, event.model, event.object_id, event.subject_id, event.detail]
    return " ".join(str(v) for v in values + list(event.fields))


def _objects(customer):
    consultation = ConsultationRequest.objects.create(
        name=NAME, email=EMAIL, phone="+44 20 7946 0018", message="Please call me.", user=customer
    )
    order = OrderFactory(user=customer, billing_name=NAME)
    subscription = SubscriptionFactory(user=customer)
    return {
        "/admin/accounts/user/{}/change/": ("accounts.User", customer, str(customer.pk)),
        "/admin/shop/order/{}/change/": ("shop.Order", order, str(customer.pk)),
        "/admin/shop/subscription/{}/change/": ("shop.Subscription", subscription, str(customer.pk)),
        "/admin/shop/review/{}/change/": ("shop.Review", ReviewFactory(user=customer), str(customer.pk)),
        "/admin/shop/consultationrequest/{}/change/": ("shop.ConsultationRequest", consultation, str(customer.pk)),
    }


@pytest.mark.django_db
def test_lg01_opening_a_change_page_writes_exactly_one_access_entry_without_values(client, staff, customer):
    for url, (label, obj, subject_id) in _objects(customer).items():
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        started = timezone.now()

        response = client.get(url.format(obj.pk))

        assert response.status_code == 200, url
        events = list(AuditEvent.objects.filter(id__gt=last))
        assert len(events) == 1, url
        event = events[0]
        assert (event.actor_id, event.actor_label, event.action) == (staff.pk, f"staff #{staff.pk}", "view")
        assert (event.model, event.object_id, event.subject_id) == (label, str(obj.pk), subject_id)
        assert event.created_at.tzinfo is not None
        assert event.created_at.utcoffset() == datetime.timedelta(0)
        assert started <= event.created_at <= timezone.now()
        assert event.fields and all(name.replace("_", "").isalnum() for name in event.fields)
        text = _row_text(event)
        for value in (NAME, EMAIL, "Ada", "lovelace", "Grace Staff", "staff@example.com", "+44 20 7946 0018"):
            assert value.lower() not in text.lower(), (url, value)


@pytest.mark.django_db
def test_lg01_view_entry_names_the_declared_fields(client, staff, customer):
    client.get(f"/admin/accounts/user/{customer.pk}/change/")

    event = AuditEvent.objects.get()
    assert event.fields == sorted(["email", "full_name", "password", "last_login", "age_confirmed_at"])


@pytest.mark.django_db
def test_lg01_changelist_and_non_declared_admin_pages_write_no_access_entry(client, staff, customer):
    client.get("/admin/accounts/user/")
    client.get("/admin/shop/category/")

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_lg01_a_saved_change_records_the_changed_field_names_only(client, staff, customer):
    consultation = ConsultationRequest.objects.create(name=NAME, email=EMAIL, message="Please call me.")
    url = f"/admin/shop/consultationrequest/{consultation.pk}/change/"

    response = client.post(url, {"status": ConsultationRequest.Status.CONTACTED})

    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.action, event.model, event.object_id) == ("change", "shop.ConsultationRequest", str(consultation.pk))
    assert event.fields == ["status"]
    assert EMAIL not in _row_text(event) and NAME not in _row_text(event)


@pytest.mark.django_db
def test_lg01_a_user_change_records_changed_fields_of_the_form_and_its_inlines(client, staff, customer):
    profile = customer.profile
    url = f"/admin/accounts/user/{customer.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "email": EMAIL,
            "full_name": "Ada King",
            "is_active": "on",
            "groups": [],
            "user_permissions": [],
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": str(profile.pk),
            "profile-0-user": str(customer.pk),
            "profile-0-phone": "+44 20 7946 0999",
            "profile-0-company": profile.company,
            "profile-0-city": profile.city,
            "profile-0-country": profile.country,
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
            "addresses-MIN_NUM_FORMS": "0",
            "addresses-MAX_NUM_FORMS": "1000",
        }
    )
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("age_confirmed_at", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    change = AuditEvent.objects.get(action="change")
    assert change.fields == ["full_name", "profile.phone"]
    assert change.subject_id == str(customer.pk)
    assert "Ada King" not in _row_text(change) and "7946" not in _row_text(change)


@pytest.mark.django_db
def test_lg01_deleting_a_review_records_one_delete_entry(client, staff, customer):
    review = ReviewFactory(user=customer)

    response = client.post(f"/admin/shop/review/{review.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.action, event.model, event.object_id, event.subject_id) == (
        "delete",
        "shop.Review",
        str(review.pk),
        str(customer.pk),
    )


@pytest.mark.django_db
def test_lg01_audit_log_admin_is_read_only_and_searchable_by_ids(client, staff, customer):
    client.get(f"/admin/accounts/user/{customer.pk}/change/")
    other = UserFactory()
    client.get(f"/admin/accounts/user/{other.pk}/change/")
    event = AuditEvent.objects.get(object_id=str(customer.pk))

    changelist = client.get(f"/admin/privacy/auditevent/?q={customer.pk}")
    assert changelist.status_code == 200
    assert [e.pk for e in changelist.context["cl"].result_list] == [event.pk]
    assert changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request) == {}
    filters = [spec.title for spec in changelist.context["cl"].filter_specs]
    assert filters == ["action", "model", "created at"]

    assert client.get("/admin/privacy/auditevent/add/").status_code == 403
    detail = client.get(f"/admin/privacy/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.post(f"/admin/privacy/auditevent/{event.pk}/change/", {"action": "add"}).status_code == 403
    assert client.post(f"/admin/privacy/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "view"
    # Opening an entry is audited too: it names who acted and on whose record (privacy.E013).
    assert AuditEvent.objects.count() == 3
    opened = AuditEvent.objects.latest("id")
    assert (opened.action, opened.model, opened.object_id, opened.actor_id) == (
        "view",
        "privacy.AuditEvent",
        str(event.pk),
        staff.pk,
    )


# --- LG-02: append-only on PostgreSQL ---------------------------------------------------

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")


def _event(**kwargs):
    return AuditEvent.objects.create(actor_label="system", action="purge", model="shop.Order", **kwargs)


def _refused(operation):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        operation()


@pg_only
@pytest.mark.django_db
def test_lg02_orm_and_raw_sql_updates_and_deletes_are_refused():
    event = _event(object_id="1", detail="3 rows")
    table = AuditEvent._meta.db_table

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(detail="changed"))
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: AuditEvent.objects.get(pk=event.pk).delete())
    _refused(lambda: raw(f"UPDATE {table} SET detail = 'changed' WHERE id = %s"))  # noqa: S608
    _refused(lambda: raw(f"DELETE FROM {table} WHERE id = %s"))  # noqa: S608

    event.refresh_from_db()
    assert (AuditEvent.objects.count(), event.detail, event.object_id) == (1, "3 rows", "1")


@pg_only
@pytest.mark.django_db
def test_lg02_the_purge_door_deletes_only_rows_older_than_six_years():
    old = _event(created_at=timezone.now() - datetime.timedelta(days=6 * 366 + 1))
    young = _event(created_at=timezone.now() - datetime.timedelta(days=5 * 365))

    def delete_young_in_purge():
        with purge_allowed():
            AuditEvent.objects.filter(pk=young.pk).delete()

    _refused(delete_young_in_purge)
    with purge_allowed():
        deleted, _ = AuditEvent.objects.filter(pk=old.pk).delete()

    assert deleted == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [young.pk]
    # The door closes with its transaction.
    _refused(lambda: AuditEvent.objects.filter(pk=young.pk).delete())
