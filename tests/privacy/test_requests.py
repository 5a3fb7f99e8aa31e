"""Data-subject requests: intake, verification, deadlines and transitions (P25, PR-11, IN-05)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from privacy.models import AuditEvent, SubjectRequest
from privacy.services.requests import (
    RequestError,
    request_reminders_send,
    subject_request_complete,
    subject_request_create,
    subject_request_extend,
    subject_request_fulfil,
    subject_request_refuse,
    subject_request_restart_clock,
    subject_request_start,
    subject_request_stop_clock,
    subject_request_verify,
    verification_token,
)
from tests.accounts.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
Kind = SubjectRequest.Kind
Status = SubjectRequest.Status
D = datetime.date


def _link(message) -> str:
    return re.search(r"http\S+/privacy/request/verify/\S+/", message.body).group(0)


@time_machine.travel("2026-06-02 10:00Z", tick=False)
def test_pr11_a_staff_recorded_request_is_due_one_month_later_on_a_working_day(django_capture_on_commit_callbacks):
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request, created = subject_request_create(
            kind=Kind.ACCESS,
            channel="phone",
            email="caller@example.com",
            actor=staff,
            verified_by="staff",
            verification_note="Called back on the number on file",
        )
    assert created
    assert request.status == Status.VERIFIED
    assert request.first_due_on == request.due_on == D(2026, 7, 2)
    assert re.fullmatch(r"DSR-2026-[A-Z2-9]{6}", request.reference)
    assert [e.to_status for e in request.events.all()] == [Status.VERIFIED]
    assert AuditEvent.objects.filter(action="request", object_id=str(request.pk)).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["caller@example.com"]
    assert "2 July 2026" in mail.outbox[0].body


def test_pr11_staff_verification_needs_a_note_of_how():
    with pytest.raises(RequestError, match="how the person was verified"):
        subject_request_create(kind=Kind.ACCESS, channel="email", email="a@example.com", verified_by="staff")
    assert not SubjectRequest.objects.exists()


def test_p25_a_second_request_of_the_same_kind_while_one_is_open_returns_the_open_one():
    user = UserFactory()
    first, created = subject_request_create(kind=Kind.ACCESS, user=user, verified_by="reauthentication")
    again, created_again = subject_request_create(kind=Kind.ACCESS, user=user, verified_by="reauthentication")
    other, created_other = subject_request_create(kind=Kind.OBJECTION, user=user, verified_by="reauthentication")
    assert created and not created_again and created_other
    assert again.pk == first.pk and other.pk != first.pk
    assert SubjectRequest.objects.count() == 2


def test_pr11_the_month_of_a_web_request_starts_when_it_is_confirmed(django_capture_on_commit_callbacks):
    with time_machine.travel("2026-06-02 10:00Z", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            request, _ = subject_request_create(kind=Kind.ERASURE, email="web@example.com")
        assert request.status == Status.AWAITING_VERIFICATION
        assert request.clock_stopped_at is not None
    with time_machine.travel("2026-06-12 09:00Z", tick=False):
        request = subject_request_verify(request=request, method="link")
    assert request.days_paused == 10
    assert request.due_on == D(2026, 7, 13)
    assert request.clock_stopped_at is None


def test_pr11_a_stopped_clock_moves_the_due_date_by_the_days_it_stood_still():
    staff = StaffFactory()
    with time_machine.travel("2026-06-02 10:00Z", tick=False):
        request, _ = subject_request_create(
            kind=Kind.ACCESS,
            channel="email",
            email="a@example.com",
            actor=staff,
            verified_by="staff",
            verification_note="ID seen",
        )
        request = subject_request_stop_clock(request=request, actor=staff, reason="which account you mean")
        with pytest.raises(RequestError, match="already stopped"):
            subject_request_stop_clock(request=request, actor=staff, reason="again")
    with time_machine.travel("2026-06-07 10:00Z", tick=False):
        request = subject_request_restart_clock(request=request, actor=staff)
    assert request.days_paused == 5
    assert request.due_on == D(2026, 7, 7)


def test_pr11_an_extension_is_once_up_to_two_months_with_a_reason_before_the_first_due_date(
    django_capture_on_commit_callbacks,
):
    staff = StaffFactory()
    with time_machine.travel("2026-06-02 10:00Z", tick=False):
        request, _ = subject_request_create(
            kind=Kind.ACCESS,
            channel="post",
            email="p@example.com",
            actor=staff,
            verified_by="staff",
            verification_note="Signed letter",
        )
        with pytest.raises(RequestError, match="reason"):
            subject_request_extend(request=request, months=2, reason=" ", actor=staff)
        with pytest.raises(RequestError, match="one or two months"):
            subject_request_extend(request=request, months=3, reason="complex", actor=staff)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            request = subject_request_extend(request=request, months=2, reason="Records in three systems", actor=staff)
        assert request.status == Status.EXTENDED
        assert request.due_on == D(2026, 9, 2) and request.first_due_on == D(2026, 7, 2)
        assert "Records in three systems" in mail.outbox[0].body and "2 September 2026" in mail.outbox[0].body
        with pytest.raises(RequestError):
            subject_request_extend(request=request, months=1, reason="again", actor=staff)


def test_pr11_too_late_to_extend_once_the_first_due_date_has_passed():
    staff = StaffFactory()
    with time_machine.travel("2026-06-02 10:00Z", tick=False):
        request, _ = subject_request_create(
            kind=Kind.ACCESS,
            channel="post",
            email="p@example.com",
            actor=staff,
            verified_by="staff",
            verification_note="Signed letter",
        )
    with time_machine.travel("2026-07-06 10:00Z", tick=False):
        with pytest.raises(RequestError, match="too late"):
            subject_request_extend(request=request, months=1, reason="complex", actor=staff)
    request.refresh_from_db()
    assert request.status == Status.VERIFIED and request.extension_months == 0


def test_p34_a_refusal_tells_the_reason_and_the_right_to_complain(django_capture_on_commit_callbacks):
    staff = StaffFactory()
    request, _ = subject_request_create(kind=Kind.ERASURE, channel="email", email="r@example.com", actor=staff)
    with pytest.raises(RequestError):
        subject_request_refuse(request=request, reason="", actor=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = subject_request_refuse(request=request, reason="An open dispute about order 12", actor=staff)
    assert request.status == Status.REFUSED and request.closed_at is not None
    assert "An open dispute about order 12" in mail.outbox[0].body
    assert "ico.org.uk" in mail.outbox[0].body
    with pytest.raises(RequestError):
        subject_request_complete(request=request, actor=staff)


def test_transitions_refuse_from_the_wrong_status():
    staff = StaffFactory()
    request, _ = subject_request_create(kind=Kind.ACCESS, channel="email", email="x@example.com", actor=staff)
    with pytest.raises(RequestError, match="cannot be started"):
        subject_request_start(request=request, actor=staff)
    with pytest.raises(RequestError, match="cannot be fulfilled"):
        subject_request_fulfil(request=request, actor=staff)
    request = subject_request_verify(request=request, method="staff", note="Call-back", actor=staff)
    with pytest.raises(RequestError, match="cannot be verified"):
        subject_request_verify(request=request, method="staff", note="again", actor=staff)
    request = subject_request_start(request=request, actor=staff)
    assert request.assignee == staff
    assert [e.to_status for e in request.events.all()] == [Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS]


def test_p19_fulfilling_an_access_request_builds_the_export_and_completes_the_request(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    staff = StaffFactory()
    request, _ = subject_request_create(kind=Kind.ACCESS, user=user, verified_by="reauthentication")
    with django_capture_on_commit_callbacks(execute=True):
        request = subject_request_fulfil(request=request, actor=staff)
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.exports.get().status == "ready"


def test_p20_fulfilling_an_erasure_request_erases_and_tells_the_requester_at_the_old_address(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="leaving@example.com")
    staff = StaffFactory()
    request, _ = subject_request_create(kind=Kind.ERASURE, user=user, verified_by="reauthentication")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        subject_request_fulfil(request=request, actor=staff)
    request.refresh_from_db()
    user.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.email == ""  # erased with the rest, the request stays as proof
    assert "leaving@example.com" not in user.email
    assert [m.to for m in mail.outbox if "complete" in m.subject] == [["leaving@example.com"]]


def test_p23_fulfilling_a_restriction_request_restricts_processing():
    from privacy.selectors import processing_is_restricted

    user = UserFactory()
    request, _ = subject_request_create(
        kind=Kind.RESTRICTION, user=user, scope="marketing", details="Data is wrong", verified_by="reauthentication"
    )
    subject_request_fulfil(request=request, actor=StaffFactory())
    assert processing_is_restricted(user=user, scope="marketing")


# --- the public form -----------------------------------------------------------------------


def test_p25_a_person_without_an_account_files_and_confirms_a_request(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:request"), {"kind": "access", "email": "guest@example.com", "details": "All of it"}
        )
    assert response.status_code == 200
    assert b"Check your email" in response.content
    request = SubjectRequest.objects.get()
    assert request.status == Status.AWAITING_VERIFICATION and request.user is None
    assert mail.outbox[0].to == ["guest@example.com"]
    link = _link(mail.outbox[0])
    # A link scanner's GET confirms nothing.
    assert client.get(link).status_code == 200
    request.refresh_from_db()
    assert request.status == Status.AWAITING_VERIFICATION
    response = client.post(link)
    assert b"your request is confirmed" in response.content
    request.refresh_from_db()
    assert request.status == Status.VERIFIED and request.verification == "link"
    # Used once: the link now only says so.
    response = client.post(link)
    assert b"already confirmed" in response.content
    assert request.events.count() == 2


def test_in05_the_same_answer_and_email_whether_or_not_the_address_has_an_account(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="member@example.com")
    pages = []
    for address in ("member@example.com", "stranger@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("privacy:request"), {"kind": "erasure", "email": address})
        page = response.content.decode().replace(address, "ADDRESS")
        pages.append(re.sub(r'(value|nonce)="[^"]*"', "", page))
    assert pages[0] == pages[1]
    assert [m.to for m in mail.outbox] == [["member@example.com"], ["stranger@example.com"]]
    strip = lambda m: re.sub(r"DSR-\d{4}-\w+|/verify/\S+", "", m.subject + m.body)  # noqa: E731
    assert strip(mail.outbox[0]) == strip(mail.outbox[1])
    assert SubjectRequest.objects.filter(user__isnull=False).count() == 0  # linked only once verified


def test_in05_at_most_three_requests_a_day_per_address_then_nothing_is_sent(client, django_capture_on_commit_callbacks):
    for kind in ("access", "erasure", "objection", "portability", "rectification"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("privacy:request"), {"kind": kind, "email": "busy@example.com"})
        assert response.status_code == 200
    assert SubjectRequest.objects.count() == 3
    assert len(mail.outbox) == 3


def test_in05_a_flood_from_one_address_gets_429(client):
    statuses = [
        client.post(reverse("privacy:request"), {"kind": "access", "email": f"p{i}@example.com"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]


def test_p25_the_honeypot_gets_the_usual_answer_and_no_request(client):
    response = client.post(
        reverse("privacy:request"), {"kind": "access", "email": "bot@example.com", "website": "http://spam"}
    )
    assert response.status_code == 200 and not SubjectRequest.objects.exists() and not mail.outbox


def test_p25_bad_input_is_a_clear_400(client):
    response = client.post(reverse("privacy:request"), {"kind": "nonsense", "email": "not-an-email"})
    assert response.status_code == 400
    assert b"Please correct" in response.content


def test_p25_a_tampered_or_expired_link_is_refused_clearly(client):
    request, _ = subject_request_create(kind=Kind.ACCESS, email="t@example.com")
    token = verification_token(request)
    assert client.get(reverse("privacy:request_verify", args=[token + "x"])).status_code == 404
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=8)):
        response = client.post(reverse("privacy:request_verify", args=[token]))
    assert response.status_code == 410
    request.refresh_from_db()
    assert request.status == Status.AWAITING_VERIFICATION


# --- reminders -----------------------------------------------------------------------------


def test_pr11_the_reminder_emails_the_assignee_and_the_dpo_about_requests_due_soon_and_overdue(settings):
    settings.PRIVACY_DPO_EMAIL = "dpo@example.com"
    staff = StaffFactory(email="handler@example.com")
    with time_machine.travel("2026-06-02 10:00Z", tick=False):
        due, _ = subject_request_create(
            kind=Kind.ACCESS,
            channel="email",
            email="a@example.com",
            actor=staff,
            verified_by="staff",
            verification_note="ID",
        )
    with time_machine.travel("2026-04-01 10:00Z", tick=False):
        late, _ = subject_request_create(
            kind=Kind.ERASURE, channel="email", email="b@example.com", verified_by="staff", verification_note="ID"
        )
    with time_machine.travel("2026-06-29 10:00Z", tick=False):
        mail.outbox.clear()
        result = request_reminders_send()
    assert result == {"due_soon": 1, "overdue": 1, "emails": 2}
    by_address = {m.to[0]: m for m in mail.outbox}
    assert due.reference in by_address["handler@example.com"].body
    assert late.reference not in by_address["handler@example.com"].body
    assert late.reference in by_address["dpo@example.com"].body and due.reference in by_address["dpo@example.com"].body
