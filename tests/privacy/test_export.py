"""Access and portability (P19, P24, P11, P13): the export zip built from the declarations,
who gets it (PR-05, PR-06, AC-01), how often (IN-05) and how it is served (IN-07)."""

import csv
import datetime
import io
import json
import zipfile

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from accounts.models import User
from privacy import export_archive
from privacy.conf import settings as privacy_settings
from privacy.models import (
    AuditEvent,
    DataExport,
    ProcessorStep,
    SubjectRequest,
    SubjectRequestEvent,
)
from privacy.services import ExportLimited, export_build, export_expire, export_request
from privacy.services import export as export_module
from privacy.subjects import Subject
from tests.accounts.factories import AddressFactory, ProfileFactory, StaffFactory, UserFactory
from tests.privacy.factories import ConsentEventFactory, ProcessorFactory, RestrictionFactory
from tests.shop.factories import OrderFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_storage():
    """The exports storage (in memory under test), emptied after each test."""
    storage = storages[privacy_settings.EXPORT_STORAGE]
    yield storage
    _folders, names = storage.listdir("")
    for name in names:
        storage.delete(name)


@pytest.fixture
def make_export(django_capture_on_commit_callbacks):
    """Request an export and run what is queued on commit (the build, then the email)."""

    def make(*, user=None, email="", request=None):
        with django_capture_on_commit_callbacks(execute=True):
            export = export_request(subject=Subject.of(user=user, email=email), request=request, actor=user)
        export.refresh_from_db()
        return export

    return make


def _members(export_storage, export) -> dict[str, str]:
    with export_storage.open(export.file_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _archive(user=None, email="") -> dict[str, str]:
    buffer = io.BytesIO()
    export_archive.archive_write(subject=Subject.of(user=user, email=email), fileobj=buffer)
    archive = zipfile.ZipFile(buffer)
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _subject_request(user, **fields) -> SubjectRequest:
    today = timezone.localdate()
    return SubjectRequest.objects.create(
        reference=fields.pop("reference", f"DSR-{user.pk:05d}"),
        kind=SubjectRequest.Kind.ACCESS,
        user=user,
        email=user.email,
        details="Please send me a copy of my data.",
        first_due_on=today + datetime.timedelta(days=30),
        due_on=today + datetime.timedelta(days=30),
        **fields,
    )


@pytest.fixture
def customer_with_everything(db):
    """The demo's two-factor customer, with a row in every declared model that can name them."""
    from kinetogram.demo import demo_seed
    from shop.demo import TWO_FACTOR_CUSTOMER

    demo_seed(images=False)
    customer = User.objects.get(email=TWO_FACTOR_CUSTOMER)
    from marketing.models import UndeliverableAddress

    # The demo keeps every address deliverable; this customer's bounced once.
    UndeliverableAddress.objects.create(address=customer.email, reason="bounced")
    request = _subject_request(customer)
    SubjectRequestEvent.objects.create(request=request, actor=customer, actor_label="requester", to_status="received")
    ProcessorStep.objects.create(request=request, handler="stripe.erase_customer", action="erase")
    DataExport.objects.create(token="00000000-0000-4000-8000-000000000001", user=customer, status="expired")
    LogEntry.objects.create(
        user=customer,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(customer.pk),
        object_repr=str(customer),
        action_flag=CHANGE,
        change_message="[]",
    )
    return customer


# --- P19, P11: everything held, from the declarations ----------------------------------------


def test_p19_every_declared_record_of_a_customer_appears_with_all_their_rows(customer_with_everything):
    # given a customer with rows in every declared model that can name a person
    subject = Subject.of(user=customer_with_everything)
    records = export_archive.exported_records()
    # when
    data = json.loads(_archive(user=customer_with_everything)[export_archive.DATA_FILE])
    # then every record is there, each with exactly the person's rows
    assert data["schema_version"] == export_archive.SCHEMA_VERSION
    assert set(data["records"]) == {record.name for record in records}
    for record in records:
        expected = subject.rows(record.declaration).count()
        assert expected > 0, f"{record.declaration.label} has no row for the customer"
        assert len(data["records"][record.name]) == expected, record.name
        assert set(data["records"][record.name][0]) == set(record.declaration.export_fields())


def test_p19_only_declarations_that_cannot_name_a_person_or_export_nothing_are_left_out():
    exported = {record.declaration.label for record in export_archive.exported_records()}
    from privacy.registry import site

    left_out = {d.label for d in site.declarations()} - exported
    assert left_out == set()


def test_p19_values_are_json_dates_iso_decimals_as_strings_related_objects_as_their_text():
    # given
    customer = UserFactory(email="values@example.com")
    order = OrderFactory(user=customer, total="1234.50")
    review = ReviewFactory(user=customer, title="=SUM(A1:A9)")
    # when
    members = _archive(user=customer)
    data = json.loads(members[export_archive.DATA_FILE])
    # then
    [row] = data["records"]["Orders"]
    assert row["total"] == "1234.50"
    assert row["number"] == order.number
    assert datetime.datetime.fromisoformat(row["created_at"]) == order.created_at
    [review_row] = data["records"]["Reviews"]
    assert review_row["service"] == review.service.name
    assert review_row["title"] == "=SUM(A1:A9)"
    # and a formula is shown as text in the CSV, never run by a spreadsheet
    [review_csv] = list(csv.DictReader(io.StringIO(members["csv/reviews.csv"])))
    assert review_csv["title"] == "'=SUM(A1:A9)"


# --- P24: structured, machine-readable, documented ------------------------------------------


def test_p24_data_json_validates_against_schema_json_and_every_csv_has_the_same_rows(customer_with_everything):
    # given
    members = _archive(user=customer_with_everything)
    data = json.loads(members[export_archive.DATA_FILE])
    schema = json.loads(members[export_archive.SCHEMA_FILE])
    # then the schema is a valid JSON Schema and the data follows it
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(data))
    assert errors == []
    # and each record's CSV parses to the same rows and fields
    for name, properties in schema["properties"]["records"]["properties"].items():
        rows = list(csv.reader(io.StringIO(members[properties["x-csv"]])))
        fields = properties["items"]["required"]
        assert rows[0] == fields
        assert len(rows) - 1 == len(data["records"][name])
        for cells, row in zip(rows[1:], data["records"][name], strict=True):
            kinds = {spec.name: spec.kind for spec in export_archive.field_specs(_declaration(name))}
            assert cells == [export_archive.csv_cell(row[f], kinds[f]) for f in fields]


def _declaration(name):
    return next(r.declaration for r in export_archive.exported_records() if r.name == name)


def test_p24_the_schema_documents_every_exported_field_with_a_type_a_description_and_its_category():
    schema = export_archive.export_schema(records=export_archive.exported_records())
    records = schema["properties"]["records"]["properties"]
    for record in export_archive.exported_records():
        properties = records[record.name]["items"]["properties"]
        assert list(properties) == record.declaration.export_fields()
        for spec in record.fields:
            node = properties[spec.name]
            assert node["description"].startswith(spec.label), (record.name, spec.name)
            assert spec.kind == "json" or "type" in node or "enum" in node, (record.name, spec.name)
            assert node.get("x-category", "") == record.declaration.fields.get(spec.name, "")
    orders = records["Orders"]["items"]["properties"]
    assert orders["total"] == {
        "type": "string",
        "pattern": r"^-?\d+(\.\d+)?$",
        "description": "total (Orders and purchases)",
        "x-category": "orders",
    }
    assert orders["card_last4"]["description"] == (
        "card's last four digits (Payment references (Stripe ids, card brand and last four digits))"
    )
    assert orders["created_at"] == {"type": "string", "format": "date-time", "description": "created at"}
    assert "paid" in orders["status"]["enum"]


def test_p24_a_value_the_schema_does_not_allow_is_reported_by_the_validator():
    customer = UserFactory()
    OrderFactory(user=customer)
    members = _archive(user=customer)
    data = json.loads(members[export_archive.DATA_FILE])
    data["records"]["Orders"][0]["total"] = 12.5
    data["records"]["Orders"][0]["surprise"] = "x"
    validator = Draft202012Validator(json.loads(members[export_archive.SCHEMA_FILE]))
    assert sorted(error.validator for error in validator.iter_errors(data)) == ["additionalProperties", "type"]


# --- P13, P19: the readable summary ------------------------------------------------------------


def test_p13_the_index_names_the_source_purposes_legal_basis_retention_and_recipients_of_each_record(
    customer_with_everything,
):
    # given a processor of contact data and one of credentials nobody holds here
    ProcessorFactory(name="Mailer Ltd", categories=["contact"], purpose="Sends our email.")
    ProcessorFactory(name="Unrelated Ltd", categories=["nonexistent"], purpose="Nothing of yours.")
    # when
    index = _archive(user=customer_with_everything)[export_archive.INDEX_FILE]
    # then each record shows where it comes from, why and how long it is kept
    for record in export_archive.exported_records():
        declaration = record.declaration
        assert f'id="{export_archive.slugify(record.name)}"' in index
        section = index.split(f'id="{export_archive.slugify(record.name)}"', 1)[1].split("</article>", 1)[0]
        from privacy.registry import Source

        assert str(Source(declaration.source).label) in section, record.name
        assert declaration.retention.describe() in section, record.name
        from privacy import purposes

        for key in declaration.purposes:
            assert purposes.PURPOSES[key].name in section
            assert purposes.PURPOSES[key].basis_label in section
    assert "Given by you" in index and "Observed while you use the site" in index
    assert "From partners who have your consent" in index  # Stripe invoices
    assert "Mailer Ltd" in index and "Unrelated Ltd" not in index
    assert "HM Revenue &amp; Customs" in index  # the demo's disclosure about this customer
    assert "We make no decision about you based solely on automated processing" in index
    assert "Tailored offers are automated" in index


def test_p19_the_index_opens_offline_with_no_external_asset():
    customer = UserFactory()
    index = _archive(user=customer)[export_archive.INDEX_FILE]
    lowered = index.lower()
    assert "<script" not in lowered and "<link" not in lowered and "<img" not in lowered
    assert "src=" not in lowered and "@import" not in lowered and "url(" not in lowered


def test_p19_the_index_shows_at_most_twenty_rows_of_a_record_and_says_where_the_rest_are():
    customer = UserFactory()
    OrderFactory.create_batch(23, user=customer)
    index = _archive(user=customer)[export_archive.INDEX_FILE]
    section = index.split('id="orders"', 1)[1].split("</article>", 1)[0]
    assert section.count("<tr>") == 1 + 20
    assert "The first 20 of 23 are shown here" in section


# --- PR-05: nothing of anyone else's -----------------------------------------------------------


@pytest.fixture
def neighbours():
    """Ann and Bob share an address; Bob bought a service for Ann; staff noted Ann's record."""
    ann = UserFactory(email="ann.canary@example.com", full_name="Ann Aardvark")
    bob = UserFactory(email="bob.zyzzyva@example.com", full_name="Bob Zyzzyva")
    staff = StaffFactory(email="sam.staffnote@example.com", full_name="Sam Staffnote")
    for person in (ann, bob):
        AddressFactory(user=person, full_name=person.full_name, line1="7 Shared Lane", postcode="N1 9GU")
    ProfileFactory(user=ann, phone="+44 7700 900111", company="Aardvark Studio")
    ProfileFactory(user=bob, phone="+44 7700 900999", company="Zyzzyva Widgets")
    gift = OrderFactory(
        user=bob,
        email=bob.email,
        billing_name=bob.full_name,
        billing_company="Zyzzyva Widgets",
        billing_line1="7 Shared Lane",
        recipient_name=ann.full_name,
        recipient_email=ann.email,
        stripe_customer_id="cus_BOBCANARY",
        card_last4="9731",
    )
    OrderFactory(user=None, email=bob.email, billing_name="Bob As Guest Zyzzyva")
    ReviewFactory(user=bob, title="Bob's secret review", body="Zyzzyva says hi")
    ConsentEventFactory(user=bob, email=bob.email)
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(ann.pk),
        object_repr=str(ann),
        action_flag=CHANGE,
        change_message="Sam Staffnote checked the address on a call",
    )
    AuditEvent.objects.create(
        actor=staff, actor_label=f"staff #{staff.pk}", action="view", model="accounts.User", subject_id=str(ann.pk)
    )
    RestrictionFactory(user=ann, created_by=staff, reason="Ann contests her profile; Sam Staffnote checks it.")
    return {"ann": ann, "bob": bob, "staff": staff, "gift": gift}


def test_pr05_people_sharing_an_address_and_a_gift_recipient_get_nothing_of_the_buyer_or_of_staff(neighbours):
    ann, bob, staff, gift = neighbours["ann"], neighbours["bob"], neighbours["staff"], neighbours["gift"]
    # when Ann exports her data
    members = _archive(user=ann)
    everything = "\n".join(members.values())
    # then none of Bob's or the staff member's canaries is in any file
    canaries = [
        bob.email,
        bob.full_name,
        "Zyzzyva",
        "+44 7700 900999",
        "cus_BOBCANARY",
        gift.number,
        "Bob's secret review",
        staff.email,
        "sam.staffnote",
        f"staff #{staff.pk}",
    ]
    assert [canary for canary in canaries if canary in everything] == []
    # and her own data is there: her account, her half of the shared address, her restriction
    data = json.loads(members[export_archive.DATA_FILE])["records"]
    assert [row["full_name"] for row in data["Address book"]] == ["Ann Aardvark"]
    assert data["Orders"] == []
    assert [row["reason"] for row in data["Processing restrictions"]] == [
        "Ann contests her profile; Sam Staffnote checks it."
    ]


def test_pr05_the_buyers_export_holds_the_recipient_they_named_on_their_own_order(neighbours):
    # P03: the recipient's name and email are part of the buyer's order, given by the buyer.
    ann, bob = neighbours["ann"], neighbours["bob"]
    data = json.loads(_archive(user=bob)[export_archive.DATA_FILE])["records"]
    gift = next(row for row in data["Orders"] if row["number"] == neighbours["gift"].number)
    assert (gift["recipient_name"], gift["recipient_email"]) == (ann.full_name, ann.email)
    # and the order Bob placed as a guest with his address is his too
    assert sorted(row["billing_name"] for row in data["Orders"]) == ["Bob As Guest Zyzzyva", "Bob Zyzzyva"]
    assert [row["full_name"] for row in data["Address book"]] == ["Bob Zyzzyva"]


def test_pr05_a_person_without_an_account_gets_the_rows_of_their_email_address_only():
    OrderFactory(user=None, email="guest.one@example.com", billing_name="Guest One")
    OrderFactory(user=None, email="guest.two@example.com", billing_name="Guest Two")
    members = _archive(email="Guest.One@example.com")
    data = json.loads(members[export_archive.DATA_FILE])["records"]
    assert [row["billing_name"] for row in data["Orders"]] == ["Guest One"]
    assert "Guest Two" not in "\n".join(members.values())


# --- the request, the build and the email ---------------------------------------------------


def test_p19_a_request_queues_the_build_on_commit_and_audits_it(django_capture_on_commit_callbacks):
    customer = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(subject=Subject.of(user=customer), actor=customer)
    assert len(callbacks) == 1
    assert (export.status, export.user, export.email, export.file_name) == ("pending", customer, "", "")
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.model, event.object_id, event.subject_id, event.detail) == (
        customer,
        "privacy.DataExport",
        str(export.pk),
        str(customer.pk),
        "requested",
    )


def test_p19_the_built_export_is_ready_for_seven_days_and_its_zip_holds_the_four_kinds_of_file(
    make_export, export_storage
):
    customer = UserFactory()
    OrderFactory(user=customer)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        export = make_export(user=customer)
    assert export.status == "ready"
    assert export.expires_at - export.ready_at == datetime.timedelta(days=7)
    assert export.file_name == f"{export.token}.zip"
    assert export.size == export_storage.size(export.file_name)
    names = set(_members(export_storage, export))
    assert {"data.json", "schema.json", "index.html", "csv/orders.csv", "csv/your-account.csv"} <= names
    assert all(name in {"data.json", "schema.json", "index.html"} or name.startswith("csv/") for name in names)
    built = AuditEvent.objects.get(action="export", actor=None)
    assert built.detail.startswith(f"built: {len(export_archive.exported_records())} records, ")


def test_p19_the_ready_email_carries_a_link_never_the_file_nor_personal_data(make_export, mailoutbox):
    customer = UserFactory(full_name="Petra Private")
    OrderFactory(user=customer, billing_name="Petra Private", billing_line1="99 Hidden Road")
    export = make_export(user=customer)
    [message] = mailoutbox
    assert message.to == [customer.email]
    assert message.attachments == []
    link = "http://127.0.0.1:8000" + reverse("privacy:export_download", args=[export.token])
    body, html = message.body, message.alternatives[0][0]
    assert link in body and link in html
    for text in (message.subject, body, html):
        assert "Petra" not in text and "Hidden Road" not in text
    assert "sign in" in body


def test_p19_an_email_only_requester_gets_a_signed_link_that_works_without_signing_in(make_export, mailoutbox, client):
    OrderFactory(user=None, email="nobody@example.com", billing_name="No Account")
    export = make_export(email="nobody@example.com")
    assert (export.user, export.email) == (None, "nobody@example.com")
    [message] = mailoutbox
    assert message.to == ["nobody@example.com"]
    link = next(word for word in message.body.split() if "/privacy/download/" in word)
    response = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("data.json"))
    assert [row["billing_name"] for row in data["records"]["Orders"]] == ["No Account"]
    event = AuditEvent.objects.get(action="download")
    assert (event.actor, event.detail) == (None, "downloaded with the emailed link")


def test_p19_building_twice_makes_one_file_and_the_second_run_changes_nothing(make_export, export_storage):
    customer = UserFactory()
    export = make_export(user=customer)
    again = export_build(export_id=export.pk)
    assert (again.status, again.file_name, again.ready_at) == ("ready", export.file_name, export.ready_at)
    assert export_storage.listdir("")[1] == [export.file_name]
    assert AuditEvent.objects.filter(action="export", actor=None).count() == 1


def test_p19_a_build_that_breaks_marks_the_export_failed_and_the_person_may_ask_again(monkeypatch, make_export):
    customer = UserFactory()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_archive, "archive_write", broken)
    with pytest.raises(RuntimeError):
        make_export(user=customer)
    failed = DataExport.objects.get(user=customer)
    assert (failed.status, failed.error, failed.file_name) == ("failed", "RuntimeError", "")
    monkeypatch.undo()
    assert make_export(user=customer).status == "ready"


def test_p19_the_task_builds_the_export_and_bounds_its_retries(django_capture_on_commit_callbacks):
    from privacy.tasks import export_build as task

    customer = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        export = export_request(subject=Subject.of(user=customer))
    assert task.delay(export.pk).get() == {"export": export.pk, "status": "ready"}
    assert task.delay(export.pk).get() == {"export": export.pk, "status": "ready"}
    assert task.delay(10**9).get() == {"export": 10**9, "status": "missing"}
    assert task.max_retries == 5 and task.retry_backoff_max == 600 and task.time_limit == 1700


# --- IN-05: one export a day --------------------------------------------------------------------


def test_in05_a_second_export_within_24_hours_is_refused_with_the_first(make_export):
    customer = UserFactory()
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        first = make_export(user=customer)
    with time_machine.travel(start + datetime.timedelta(hours=23, minutes=59), tick=False):
        with pytest.raises(ExportLimited) as refused:
            export_request(subject=Subject.of(user=customer))
    assert refused.value.export == first
    assert DataExport.objects.count() == 1
    # the same person asking by email address is the same person
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        with pytest.raises(ExportLimited):
            export_request(subject=Subject.of(email=customer.email.upper()))
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        second = make_export(user=customer)
    assert second.pk != first.pk and DataExport.objects.count() == 2


def test_in05_another_persons_export_does_not_count_and_a_failed_one_does_not_either(make_export):
    customer, other = UserFactory(), UserFactory()
    make_export(user=other)
    DataExport.objects.create(token="00000000-0000-4000-8000-0000000000f1", user=customer, status="failed")
    assert make_export(user=customer).status == "ready"


def test_in05_a_request_without_a_person_is_refused():
    with pytest.raises(ValueError, match="needs a person"):
        export_request(subject=Subject())


# --- PR-06, AC-01, IN-07: the download ------------------------------------------------------------


def _download(client, export):
    return client.get(reverse("privacy:export_download", args=[export.token]))


def test_pr06_the_owner_downloads_the_zip_with_safe_headers(make_export, client):
    customer = UserFactory()
    client.force_login(customer)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        export = make_export(user=customer)
        response = _download(client, export)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="kinetogram-data-2026-03-02.zip"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Length"] == str(export.size)


def test_pr06_two_downloads_are_both_counted_and_audited(make_export, client):
    customer = UserFactory()
    export = make_export(user=customer)
    client.force_login(customer)
    assert [_download(client, export).status_code for _ in range(2)] == [200, 200]
    export.refresh_from_db()
    assert export.downloads == 2
    events = AuditEvent.objects.filter(action="download")
    assert [(e.actor, e.object_id, e.subject_id, e.detail) for e in events] == [
        (customer, str(export.pk), str(customer.pk), "downloaded signed in")
    ] * 2


def test_ac01_another_customer_gets_404_and_no_byte_of_the_owners_data(make_export, client):
    owner, other = UserFactory(email="owner.secret@example.com"), UserFactory()
    export = make_export(user=owner)
    client.force_login(other)
    response = _download(client, export)
    assert response.status_code == 404
    assert b"owner.secret" not in response.content and b"PK\x03\x04" not in response.content
    unknown = client.get(reverse("privacy:export_download", args=["00000000-0000-4000-8000-00000000dead"]))
    assert unknown.status_code == 404
    export.refresh_from_db()
    assert export.downloads == 0 and not AuditEvent.objects.filter(action="download").exists()


def test_ac01_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(make_export, client):
    export = make_export(user=UserFactory())
    response = _download(client, export)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_ac01_the_signed_route_refuses_a_bare_token_and_a_tampered_signature(make_export, client):
    export = make_export(email="nobody@example.com")
    good = export_module.export_link_token(export=export)
    for token in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), "x" * 40):
        response = client.get(reverse("privacy:export_download_link", args=[token]))
        assert response.status_code == 404, token


def test_pr06_after_expiry_the_link_is_404_and_the_hourly_job_deletes_the_file(make_export, client, export_storage):
    customer = UserFactory()
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        export = make_export(user=customer)
    client.force_login(customer)
    with time_machine.travel(start + datetime.timedelta(days=6, hours=23), tick=False):
        assert _download(client, export).status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=7, minutes=1), tick=False):
        expired = _download(client, export)
        assert expired.status_code == 404
        assert "This download has expired" in expired.content.decode()
        assert export_storage.exists(export.file_name)
        assert export_expire() == {"expired": 1, "failed": 0, "files_removed": 0}
        assert export_expire() == {"expired": 0, "failed": 0, "files_removed": 0}
    export.refresh_from_db()
    assert (export.status, export.file_name) == ("expired", "")
    assert export_storage.listdir("")[1] == []
    assert _download(client, export).status_code == 404
    event = AuditEvent.objects.get(action="delete", model="privacy.DataExport")
    assert event.detail == "expired: 1, unfinished marked failed: 0, stray files removed: 0"


def test_pr06_the_emailed_link_stops_working_after_the_export_days(make_export, client):
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        export = make_export(email="nobody@example.com")
        url = reverse("privacy:export_download_link", args=[export_module.export_link_token(export=export)])
    with time_machine.travel(start + datetime.timedelta(days=7, minutes=1), tick=False):
        response = client.get(url)
    assert response.status_code == 404
    assert "This download has expired" in response.content.decode()


def test_pr06_a_download_being_prepared_says_so_and_a_failed_one_says_it_could_not_be_made(
    client, django_capture_on_commit_callbacks
):
    customer = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        export = export_request(subject=Subject.of(user=customer))
    client.force_login(customer)
    pending = _download(client, export)
    assert pending.status_code == 200 and "Your data is being prepared" in pending.content.decode()
    DataExport.objects.filter(pk=export.pk).update(status="failed")
    failed = _download(client, export)
    assert failed.status_code == 404 and "We could not prepare this download" in failed.content.decode()
    assert not AuditEvent.objects.filter(action="download").exists()


def test_pr06_the_job_fails_builds_stuck_for_a_day_and_removes_files_no_export_names(export_storage):
    customer = UserFactory()
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        stuck = DataExport.objects.create(token="00000000-0000-4000-8000-0000000000a1", user=customer)
        export_storage.save("00000000-0000-4000-8000-0000000000b2.zip", ContentFile(b"left by an erased person"))
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        export_storage.save("00000000-0000-4000-8000-0000000000c3.zip", ContentFile(b"a build finishing now"))
    with time_machine.travel(start + datetime.timedelta(days=1, minutes=1), tick=False):
        assert export_expire() == {"expired": 0, "failed": 1, "files_removed": 2}
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "Not built within a day")
    assert export_storage.listdir("")[1] == []


def test_in07_a_stored_name_that_is_not_the_exports_own_is_never_opened(make_export, client, export_storage):
    customer = UserFactory()
    export = make_export(user=customer)
    export_storage.save("evil.zip", ContentFile(b"not yours"))
    for name in ('../x"; evil.zip', "../../etc/passwd", "evil.zip", f"{export.token}.zip/../evil.zip"):
        DataExport.objects.filter(pk=export.pk).update(file_name=name)
        client.force_login(customer)
        response = _download(client, export)
        assert response.status_code == 404, name
        assert b"not yours" not in response.content
    assert not AuditEvent.objects.filter(action="download").exists()


def test_pr06_the_hourly_expiry_schedule_exists_after_migrations_and_names_a_registered_task():
    from django_celery_beat.models import PeriodicTask

    from kinetogram.celery import app

    app.loader.import_default_modules()
    schedule = PeriodicTask.objects.get(task="privacy.export_expire")
    assert schedule.enabled is True
    assert (schedule.crontab.minute, schedule.crontab.hour) == ("20", "*")
    assert app.tasks[schedule.task].__module__ == "privacy.tasks"
    assert "privacy.export_build" in app.tasks


# --- memory bound: one query per model whatever the size ------------------------------------------


def _queries_for(customer) -> int:
    with CaptureQueriesContext(connection) as captured:
        export_archive.archive_write(subject=Subject.of(user=customer), fileobj=io.BytesIO())
    return len(captured.captured_queries)


def test_p19_the_builder_reads_each_model_with_one_query_whatever_the_number_of_rows(
    monkeypatch, django_assert_max_num_queries
):
    # given two customers, one with a few rows and one with many more than a chunk
    monkeypatch.setattr(export_archive, "CHUNK_SIZE", 7)
    small, large = UserFactory(), UserFactory()
    OrderFactory(user=small)
    ReviewFactory(user=small)
    OrderFactory.create_batch(40, user=large)
    ReviewFactory.create_batch(30, user=large)
    for _ in range(25):
        ConsentEventFactory(user=large)
    # then the number of queries is the same, about one per declared model
    assert _queries_for(small) == _queries_for(large)
    with django_assert_max_num_queries(len(export_archive.exported_records()) + 3):
        export_archive.archive_write(subject=Subject.of(user=large), fileobj=io.BytesIO())
    data = json.loads(_archive(user=large)[export_archive.DATA_FILE])["records"]
    assert (len(data["Orders"]), len(data["Reviews"]), len(data["Consent records"])) == (40, 30, 25)


def test_p19_the_builder_streams_rows_through_queryset_iterator(monkeypatch):
    from django.db.models.query import QuerySet

    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append((self.model._meta.label, chunk_size))
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    _archive(user=UserFactory())
    assert sorted(calls) == sorted(
        (record.declaration.label, export_archive.CHUNK_SIZE) for record in export_archive.exported_records()
    )


# --- "Your data": the person's recent exports ---------------------------------------------------


def test_p19_the_status_include_lists_recent_exports_with_a_link_only_while_downloadable(make_export):
    from django.template.loader import render_to_string

    from privacy.selectors import exports_for

    customer = UserFactory()
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        old = make_export(user=customer)
    with time_machine.travel(start + datetime.timedelta(days=8), tick=False):
        new = make_export(user=customer)
        exports = exports_for(Subject.of(user=customer))
        html = render_to_string("privacy/_export_status.html", {"exports": exports})
    assert [(e.pk, e.state, e.is_downloadable) for e in exports] == [
        (new.pk, "ready", True),
        (old.pk, "expired", False),
    ]
    assert reverse("privacy:export_download", args=[new.token]) in html
    assert reverse("privacy:export_download", args=[old.token]) not in html
    assert "Expired and deleted" in html
    assert exports_for(Subject.of(user=UserFactory())) == []


def test_p19_a_verified_email_address_of_the_account_finds_its_rows(make_export, export_storage):
    customer = UserFactory(email="main@example.com")
    EmailAddress.objects.create(user=customer, email="second@example.com", verified=True)
    export = make_export(user=customer)
    data = json.loads(_members(export_storage, export)["data.json"])["records"]
    assert sorted(row["email"] for row in data["Email addresses"]) == ["main@example.com", "second@example.com"]


def test_p19_a_subject_request_is_linked_to_its_export_and_named_in_the_audit(make_export):
    customer = UserFactory()
    request = _subject_request(customer, reference="DSR-TEST1")
    export = make_export(user=customer, request=request)
    assert export.request == request
    assert AuditEvent.objects.get(action="export", actor=customer).detail == "requested for request DSR-TEST1"


def test_p19_another_address_the_person_was_verified_by_is_kept_and_its_rows_exported(
    django_capture_on_commit_callbacks, export_storage
):
    # given a customer who once ordered as a guest with another address
    customer = UserFactory(email="now@example.com")
    OrderFactory(user=None, email="before@example.com", billing_name="Guest Days")
    # when staff export both (the person proved both addresses are theirs)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(subject=Subject.of(user=customer, email="Before@Example.com"))
    export.refresh_from_db()
    # then
    assert (export.user, export.email) == (customer, "before@example.com")
    data = json.loads(_members(export_storage, export)["data.json"])["records"]
    assert [row["billing_name"] for row in data["Orders"]] == ["Guest Days"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True)
def test_in05_two_requests_at_once_on_two_connections_make_one_export(monkeypatch):
    # given a first request that has written its export but not yet committed
    import threading
    import time

    customer = UserFactory()
    inside, release, results = threading.Event(), threading.Event(), {}
    real_audit = export_module.audit_record

    def audit_then_wait(**kwargs):
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(20)
        return real_audit(**kwargs)

    monkeypatch.setattr(export_module, "audit_record", audit_then_wait)

    def ask(name):
        try:
            results[name] = export_request(subject=Subject.of(user=customer))
        except ExportLimited as refused:
            results[name] = refused
        finally:
            connection.close()

    first = threading.Thread(target=ask, args=("first",), name="first")
    first.start()
    assert inside.wait(20)
    # when a second request arrives on another connection meanwhile
    second = threading.Thread(target=ask, args=("second",), name="second")
    second.start()
    time.sleep(0.5)
    release.set()
    first.join(30)
    second.join(30)
    # then it waited for the first and was told to use it
    assert isinstance(results["first"], DataExport)
    assert isinstance(results["second"], ExportLimited)
    assert results["second"].export.pk == results["first"].pk
    assert DataExport.objects.count() == 1
