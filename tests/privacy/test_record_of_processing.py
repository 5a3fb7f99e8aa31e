"""P28: the record of processing (GDPR Art. 30), from the declarations, as a report and an admin page."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from privacy import purposes, reports
from privacy.registry import Category, Erasure, PersonalData, Registry, Retention, Source, site
from shop.personal_data import ReviewData
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import ProcessorFactory

URL = "/admin/privacy/processor/record-of-processing/"


@pytest.mark.django_db
def test_p28_one_row_per_declaration_holding_personal_data_with_everything_art30_asks():
    rows = {row.model: row for row in reports.processing_record()}

    assert set(rows) == {d.label for d in site.holding_personal_data()}
    assert "shop.StripeEvent" not in rows
    order = rows["shop.Order"]
    assert order.name == "Orders"
    assert order.categories == (
        "Postal addresses and location",
        "Contact details (email, phone)",
        "Identity (name, company)",
        "Orders and purchases",
        "Payment references (Stripe ids, card brand and last four digits)",
    )
    assert order.purposes == (
        ("Providing the services you buy", "Performance of a contract"),
        ("Meeting our legal duties", "Legal obligation"),
        ("Preventing fraud and keeping the site secure", "Legitimate interests"),
    )
    assert order.legitimate_interests == (purposes.PURPOSES["fraud_prevention"].interest,)
    assert order.source == "Given by you"
    assert order.retention == "6 years after the order date, then anonymised"
    assert order.erasure.startswith("kept: Tax law: sales records are kept for 6 years")
    assert order.recipients == ("Stripe Payments Europe, Ltd.",)


@pytest.mark.django_db
def test_p28_recipients_are_the_active_processors_whose_categories_overlap():
    ProcessorFactory(name="Feedback Co", categories=["feedback"])
    ProcessorFactory(name="Dormant Ltd", categories=["feedback"], is_active=False)

    rows = {row.model: row for row in reports.processing_record()}

    assert rows["shop.Review"].recipients == ("Feedback Co",)
    assert "Feedback Co" not in rows["shop.Order"].recipients


def test_p28_legitimate_interests_listed_for_every_legitimate_interest_purpose():
    markdown = reports.record_as_markdown([])

    for purpose in purposes.PURPOSES.values():
        if purpose.basis == purposes.LegalBasis.LEGITIMATE_INTEREST:
            assert f"- **{purpose.name}**: {purpose.interest}" in markdown


@pytest.mark.django_db
def test_p28_report_follows_a_changed_or_added_declaration(monkeypatch):
    monkeypatch.setattr(ReviewData, "retention", Retention(from_field="created_at", months=18, event="publication"))
    row = next(r for r in reports.processing_record() if r.model == "shop.Review")
    assert row.retention == "18 months after publication, then deleted"

    registry = Registry()

    class NewsletterData(PersonalData):
        subject = "pk"
        fields = {"email": Category.CONTACT}
        purposes = ["email_marketing"]
        source = Source.PARTNER
        retention = Retention(from_field="last_login", years=2, event="the last sign-in")
        erasure = Erasure.delete()
        description = "Partner newsletter sign-ups."

    from accounts.models import User

    registry.register(User, NewsletterData)
    (row,) = reports.processing_record(registry=registry, processors=[])
    assert (row.model, row.purposes, row.source, row.retention) == (
        "accounts.User",
        (("Email marketing", "Consent"),),
        "From partners who have your consent",
        "2 years after the last sign-in, then deleted",
    )


@pytest.mark.django_db
def test_p28_privacy_report_command_writes_csv_and_markdown(tmp_path, capsys):
    out = tmp_path / "record.csv"

    call_command("privacy_report", "--format", "csv", "--out", str(out))

    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(table) == len(site.holding_personal_data())
    assert list(table[0]) == list(reports.COLUMNS)
    order = next(r for r in table if r["Model"] == "shop.Order")
    assert order["Retention"] == "6 years after the order date, then anonymised"
    assert "Preventing fraud and keeping the site secure (Legitimate interests)" in order["Purposes and legal basis"]

    call_command("privacy_report")
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Record of processing activities (GDPR Art. 30)")
    assert "| shop.Order | Orders |" in markdown


@pytest.mark.django_db
def test_privacy_report_command_refuses_an_unwritable_file_with_a_message():
    with pytest.raises(CommandError, match="Cannot write /nonexistent/dir/record.md"):
        call_command("privacy_report", "--out", "/nonexistent/dir/record.md")


@pytest.mark.django_db
def test_p28_admin_page_renders_the_same_rows_and_downloads_csv(client):
    staff_login(client, StaffFactory())

    page = client.get(URL)
    download = client.get(URL + "?format=csv")

    assert page.status_code == 200
    assert [r.model for r in page.context["rows"]] == [r.model for r in reports.processing_record()]
    html = page.content.decode()
    assert "Record of processing activities" in html and "6 years after the order date, then anonymised" in html
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="record-of-processing-')
    assert download.content.decode() == reports.record_as_csv(reports.processing_record())


@pytest.mark.django_db
def test_p28_admin_index_links_the_record_for_staff_with_the_privacy_permission(client):
    staff_login(client, StaffFactory())

    assert f'href="{URL}"' in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_p28_staff_without_the_privacy_permission_are_refused_and_see_no_link(client):
    clerk = UserFactory(is_staff=True)
    staff_login(client, clerk)

    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/admin/").content.decode()

    clerk.user_permissions.add(Permission.objects.get(codename="view_processor"))
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_p28_admin_page_changes_when_a_declaration_changes(client, monkeypatch):
    staff_login(client, StaffFactory())
    monkeypatch.setattr(ReviewData, "description", "Star ratings customers published.")

    assert "Star ratings customers published." in client.get(URL).content.decode()


@pytest.mark.django_db
def test_p28_admin_page_query_count_is_constant(client, django_assert_max_num_queries):
    staff_login(client, StaffFactory())
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    ProcessorFactory.create_batch(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_p28_each_row_names_its_personal_fields_and_what_goes_into_the_export():
    from privacy.reports import processing_record

    rows = {row.model: row for row in processing_record(processors=[])}

    authenticators = rows["mfa.Authenticator"]
    assert "data" in authenticators.fields
    assert "data" not in authenticators.export  # the secret never leaves the database
    assert authenticators.as_dict()["In the export"] == "type, created_at, last_used_at"
