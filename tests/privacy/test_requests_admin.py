"""The staff queue of privacy requests (P25, PR-11, AC-02, LG-01)."""

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from privacy.admin.requests import request_dashboard
from privacy.models import AuditEvent, SubjectRequest
from privacy.services.requests import subject_request_create
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login

pytestmark = pytest.mark.django_db
Kind = SubjectRequest.Kind
Status = SubjectRequest.Status
CHANGELIST = "admin:privacy_subjectrequest_changelist"


def _staff_without_permission():
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="privacy").exclude(codename="handle_request")
    )
    return staff


def _handler():
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(Permission.objects.get(codename="handle_request"))
    return staff


def _request(**kwargs):
    defaults = {"kind": Kind.ACCESS, "channel": "email", "email": "asker@example.com"}
    return subject_request_create(**{**defaults, **kwargs})[0]


def test_ac02_staff_without_the_permission_get_403_on_the_queue_the_request_and_its_actions(client):
    request = _request()
    staff_login(client, _staff_without_permission())
    for url in (
        reverse(CHANGELIST),
        reverse("admin:privacy_subjectrequest_change", args=[request.pk]),
        reverse("admin:privacy_subjectrequest_add"),
        reverse("admin:privacy_subjectrequest_dashboard"),
        reverse("admin:privacy_subjectrequest_act", args=[request.pk, "verify"]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("admin:privacy_subjectrequest_act", args=[request.pk, "refuse"]), {"note": "no"})
    assert response.status_code == 403
    response = client.post(reverse(CHANGELIST), {"action": "complete_selected", "_selected_action": [request.pk]})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_lg01_opening_a_request_writes_exactly_one_access_audit_row(client):
    request = _request()
    staff = _handler()
    staff_login(client, staff)
    before = AuditEvent.objects.filter(action="view").count()
    response = client.get(reverse("admin:privacy_subjectrequest_change", args=[request.pk]))
    assert response.status_code == 200
    views = AuditEvent.objects.filter(action="view").order_by("-id")
    assert views.count() == before + 1
    assert (
        views[0].actor == staff and views[0].object_id == str(request.pk) and views[0].model == "privacy.SubjectRequest"
    )


def test_p25_staff_record_a_phone_request_verify_extend_and_complete_it_through_the_actions(client, mailoutbox):
    staff = _handler()
    staff_login(client, staff)
    response = client.post(
        reverse("admin:privacy_subjectrequest_add"),
        {"channel": "phone", "kind": "rectification", "email": "caller@example.com", "details": "Wrong company name"},
    )
    request = SubjectRequest.objects.get()
    assert response.status_code == 302 and request.status == Status.RECEIVED and request.channel == "phone"
    act = lambda name, **data: client.post(reverse("admin:privacy_subjectrequest_act", args=[request.pk, name]), data)  # noqa: E731
    assert act("verify", note="").status_code == 400  # a note of how is required
    assert act("verify", note="Called back on the number on file").status_code == 302
    assert act("extend", note="", months=1).status_code == 400
    assert act("extend", note="Three systems to search", months=2).status_code == 302
    assert act("complete", note="Company name corrected").status_code == 302
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.extension_months == 2
    assert [e.to_status for e in request.events.all()] == [
        Status.RECEIVED,
        Status.VERIFIED,
        Status.EXTENDED,
        Status.COMPLETED,
    ]
    page = client.get(reverse("admin:privacy_subjectrequest_change", args=[request.pk])).content.decode()
    assert "Three systems to search" in page and "Closed." in page


def test_p25_staff_verified_without_a_note_is_a_form_error(client):
    staff_login(client, _handler())
    response = client.post(
        reverse("admin:privacy_subjectrequest_add"),
        {"channel": "post", "kind": "access", "email": "letter@example.com", "verified": "on"},
    )
    assert response.status_code == 400 and b"Say how you verified the person" in response.content
    assert not SubjectRequest.objects.exists()


def test_pr11_the_queue_marks_overdue_and_due_soon_and_filters_them(client, django_assert_max_num_queries):
    with time_machine.travel("2026-04-01 10:00Z", tick=False):
        late = _request(email="late@example.com", verified_by="staff", verification_note="ID")
    with time_machine.travel("2026-05-26 10:00Z", tick=False):
        soon = _request(email="soon@example.com", kind=Kind.ERASURE, verified_by="staff", verification_note="ID")
    fresh = _request(email="fresh@example.com", kind=Kind.OBJECTION)
    staff_login(client, _handler())
    with time_machine.travel("2026-06-22 10:00Z", tick=False):
        with django_assert_max_num_queries(16):
            page = client.get(reverse(CHANGELIST)).content.decode()
        assert "kg-due-overdue" in page and "(overdue)" in page and "(due soon)" in page
        overdue = client.get(reverse(CHANGELIST), {"due": "overdue"}).content.decode()
        assert late.reference in overdue and soon.reference not in overdue and fresh.reference not in overdue
        due_soon = client.get(reverse(CHANGELIST), {"due": "soon"}).content.decode()
        assert soon.reference in due_soon and late.reference not in due_soon
        assert client.get(reverse(CHANGELIST), {"q": "soon@example"}).content.decode().count(soon.reference) >= 1


def test_pr11_the_dashboard_counts_open_overdue_and_the_median_in_constant_queries(client, django_assert_num_queries):
    with time_machine.travel("2026-04-01 10:00Z", tick=False):
        _request(email="late@example.com")
        done = _request(email="done@example.com", kind=Kind.OBJECTION, verified_by="staff", verification_note="ID")
    with time_machine.travel("2026-04-05 10:00Z", tick=False):
        from privacy.services.requests import subject_request_complete

        subject_request_complete(request=done, actor=None, outcome="ok")
    with time_machine.travel("2026-06-22 10:00Z", tick=False):
        figures = request_dashboard()
        assert figures["overdue"] == 1 and figures["open_total"] == 1 and figures["median_days"] == 4
        for i in range(5):
            _request(email=f"more{i}@example.com")
        staff_login(client, _handler())
        with django_assert_num_queries(16):
            response = client.get(reverse("admin:privacy_subjectrequest_dashboard"))
    assert response.status_code == 200
    assert b'id="overdue-count">1<' in response.content
    assert b"<svg" in response.content


def test_p20_the_bulk_fulfil_action_erases_a_verified_customer(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="goodbye@example.com")
    request = subject_request_create(kind=Kind.ERASURE, user=user, verified_by="reauthentication")[0]
    staff_login(client, _handler())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CHANGELIST), {"action": "fulfil_selected", "_selected_action": [request.pk]})
    request.refresh_from_db()
    user.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert not user.has_usable_password() and "goodbye" not in user.email
