"""Processing restriction (P23): services, the selector other apps ask, and the admin."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from privacy.models import AuditEvent, Restriction
from privacy.selectors import processing_is_restricted
from privacy.services import RestrictionError, restriction_create, restriction_end
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import RestrictionFactory

pytestmark = pytest.mark.django_db

REVIEW_ON = datetime.date(2099, 1, 31)


def test_p23_restriction_create_records_the_restriction_and_an_audit_event_without_values():
    # given
    staff, customer = StaffFactory(), UserFactory()
    # when
    restriction = restriction_create(
        user=customer, scope="marketing", reason="Contests accuracy", review_on=REVIEW_ON, created_by=staff
    )
    # then
    assert restriction.is_active
    assert restriction.created_by == staff
    event = AuditEvent.objects.get(action="restrict")
    assert (event.actor, event.model, event.object_id, event.subject_id) == (
        staff,
        "privacy.Restriction",
        str(restriction.pk),
        str(customer.pk),
    )
    assert event.fields == ["reason", "review_on", "scope"]
    assert "Contests" not in event.detail and customer.email not in event.detail


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "marketing", "reason": "x"}, "needs a person"),
        ({"email": "a@example.com", "scope": "everything", "reason": "x"}, "Unknown scope"),
        ({"email": "a@example.com", "scope": "marketing", "reason": "  "}, "reason"),
    ],
)
def test_p23_restriction_create_refuses_incomplete_input_and_writes_nothing(kwargs, message):
    with pytest.raises(RestrictionError, match=message):
        restriction_create(review_on=REVIEW_ON, created_by=None, **kwargs)
    assert Restriction.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_p23_restriction_create_refuses_a_review_date_in_the_past():
    with pytest.raises(RestrictionError, match="past"):
        restriction_create(
            email="a@example.com",
            scope="all",
            reason="x",
            review_on=timezone.localdate() - datetime.timedelta(days=1),
            created_by=None,
        )


def test_p23_restriction_end_ends_it_once_and_audits_once():
    # given
    staff = StaffFactory()
    restriction = restriction_create(
        email="guest@example.com", scope="all", reason="Objection pending", review_on=REVIEW_ON, created_by=staff
    )
    # when
    restriction_end(restriction=restriction, ended_by=staff)
    restriction_end(restriction=restriction, ended_by=staff)
    # then
    restriction.refresh_from_db()
    assert restriction.ended_at is not None and not restriction.is_active
    assert AuditEvent.objects.filter(action="restrict", fields=["ended_at"]).count() == 1
    assert not processing_is_restricted(email="guest@example.com", scope="marketing")


@pytest.mark.parametrize(
    ("restricted", "asked", "expected"),
    [
        ("marketing", "marketing", True),
        ("marketing", "profiling", False),
        ("marketing", "analytics", False),
        ("all", "marketing", True),
        ("all", "profiling", True),
        ("all", "analytics", True),
        ("analytics", "analytics", True),
    ],
)
def test_p23_processing_is_restricted_answers_per_scope_and_all_covers_every_scope(restricted, asked, expected):
    customer = UserFactory()
    RestrictionFactory(user=customer, scope=restricted)
    assert processing_is_restricted(user=customer, scope=asked) is expected


def test_p23_processing_is_restricted_matches_people_without_an_account_by_email_in_any_case():
    RestrictionFactory(email="Guest@Example.com", scope="marketing")
    assert processing_is_restricted(email="guest@example.COM", scope="marketing") is True
    assert processing_is_restricted(email="other@example.com", scope="marketing") is False


def test_p23_a_restriction_by_email_covers_the_account_with_that_address():
    customer = UserFactory(email="owner@example.com")
    RestrictionFactory(email="owner@example.com", scope="profiling")
    assert processing_is_restricted(user=customer, scope="profiling") is True


def test_p23_ended_and_future_restrictions_do_not_restrict():
    customer = UserFactory()
    now = timezone.now()
    RestrictionFactory(user=customer, scope="all", ended_at=now - datetime.timedelta(seconds=1))
    RestrictionFactory(user=customer, scope="all", starts_at=now + datetime.timedelta(days=1))
    assert processing_is_restricted(user=customer, scope="marketing") is False


def test_p23_processing_is_restricted_refuses_an_unknown_scope():
    with pytest.raises(ValueError, match="Unknown restriction scope"):
        processing_is_restricted(email="a@example.com", scope="marketting")


def test_p23_nobody_named_is_not_restricted():
    RestrictionFactory(email="a@example.com", scope="all")
    assert processing_is_restricted(scope="marketing") is False


@pytest.fixture
def staff(client):
    user = StaffFactory(email="staff@example.com")
    staff_login(client, user)
    return user


def test_p23_staff_create_a_restriction_in_the_admin_through_the_service(client, staff):
    # given
    customer = UserFactory()
    # when
    response = client.post(
        reverse("admin:privacy_restriction_add"),
        {"user": customer.pk, "email": "", "scope": "all", "reason": "Disputes the data", "review_on": "2099-01-31"},
    )
    # then
    assert response.status_code == 302
    restriction = Restriction.objects.get()
    assert (restriction.user, restriction.scope, restriction.created_by) == (customer, "all", staff)
    assert AuditEvent.objects.filter(action="restrict", actor=staff, object_id=str(restriction.pk)).count() == 1


def test_p23_admin_refuses_a_restriction_naming_nobody(client, staff):
    response = client.post(
        reverse("admin:privacy_restriction_add"),
        {"user": "", "email": "", "scope": "all", "reason": "x", "review_on": "2099-01-31"},
    )
    assert response.status_code == 200
    assert "Choose the customer" in response.content.decode()
    assert Restriction.objects.count() == 0


def test_p23_admin_lists_filters_and_searches_restrictions(client, staff):
    # given
    active = RestrictionFactory(user=UserFactory(email="kept@example.com"), scope="all")
    RestrictionFactory(email="gone@example.com", scope="marketing", ended_at=timezone.now())
    url = reverse("admin:privacy_restriction_changelist")
    # when
    active_page = client.get(url, {"active": "yes"}).content.decode()
    search_page = client.get(url, {"q": "kept@"}).content.decode()
    scope_page = client.get(url, {"scope__exact": "marketing"}).content.decode()
    # then
    assert "kept@example.com" in active_page and "gone@example.com" not in active_page
    assert "kept@example.com" in search_page and "gone@example.com" not in search_page
    assert "gone@example.com" in scope_page and "kept@example.com" not in scope_page
    assert client.get(reverse("admin:privacy_restriction_change", args=[active.pk])).status_code == 200


def test_p23_admin_action_ends_selected_restrictions_with_an_audit_event(client, staff):
    restriction = RestrictionFactory(email="a@example.com", scope="all")
    response = client.post(
        reverse("admin:privacy_restriction_changelist"),
        {"action": "end_restrictions", "_selected_action": [restriction.pk]},
    )
    assert response.status_code == 302
    restriction.refresh_from_db()
    assert restriction.ended_at is not None
    assert AuditEvent.objects.filter(action="restrict", actor=staff, fields=["ended_at"]).count() == 1


def test_p23_staff_opening_a_restriction_is_audited_and_a_review_is_audited_once(client, staff):
    # given
    restriction = RestrictionFactory(email="a@example.com", scope="all", reason="Contests accuracy")
    url = reverse("admin:privacy_restriction_change", args=[restriction.pk])
    # when
    client.get(url)
    response = client.post(url, {"reason": "Contests accuracy", "review_on": "2099-06-30"})
    # then
    assert response.status_code == 302
    restriction.refresh_from_db()
    assert restriction.review_on == datetime.date(2099, 6, 30)
    events = AuditEvent.objects.filter(actor=staff, object_id=str(restriction.pk)).order_by("pk")
    assert [(e.action, e.fields) for e in events] == [
        ("view", ["email", "reason", "scope"]),
        ("restrict", ["review_on"]),
    ]


def test_p23_staff_who_may_only_view_restrictions_cannot_end_them(client):
    # given a staff member with the view permission on restrictions only
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_restriction"))
    staff_login(client, viewer)
    restriction = RestrictionFactory(email="a@example.com", scope="all")
    # when
    response = client.post(
        reverse("admin:privacy_restriction_changelist"),
        {"action": "end_restrictions", "_selected_action": [restriction.pk]},
    )
    # then nothing ended and nothing was audited
    assert response.status_code in (200, 302)
    restriction.refresh_from_db()
    assert restriction.ended_at is None
    assert AuditEvent.objects.filter(action="restrict", actor=viewer).count() == 0


@pytest.mark.django_db
def test_p23_the_person_is_told_before_a_restriction_is_lifted(mailoutbox, monkeypatch):
    import datetime as _dt

    from django.utils import timezone as _tz

    from privacy.services import restriction_create, restriction_end

    restriction = restriction_create(
        email="held@example.com",
        scope="marketing",
        reason="Accuracy disputed",
        review_on=_tz.localdate() + _dt.timedelta(days=10),
    )
    # If the notice cannot be sent, the restriction stays.
    from privacy.services import restriction as module

    def broken(**kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(module, "send_templated_email", broken)
    with pytest.raises(ConnectionError):
        restriction_end(restriction=restriction)
    restriction.refresh_from_db()
    assert restriction.ended_at is None
    monkeypatch.undo()
    restriction_end(restriction=restriction)
    restriction.refresh_from_db()
    assert restriction.ended_at is not None
    assert [m.to for m in mailoutbox] == [["held@example.com"]]
    assert "lifting" in mailoutbox[0].subject
