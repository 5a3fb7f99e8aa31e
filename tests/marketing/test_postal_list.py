"""The postal marketing list (P05, P22, P23, P20): people with an address who have not
objected, are not restricted and are not suppressed; each export audited."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from privacy.models import AuditEvent
from privacy.services import objection_record, objection_withdraw, restriction_create
from tests.accounts.factories import AddressFactory, StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.marketing.factories import suppress

pytestmark = pytest.mark.django_db
ADMIN_URL = "/admin/marketing/marketingpreference/postal-list.csv"


@pytest.fixture
def people():
    """One customer of each state that matters for post."""
    names = ["welcome", "objected", "unobjected", "restricted", "suppressed", "no_address", "formula"]
    users = {name: UserFactory(email=f"{name}@example.com", full_name=name.title()) for name in names}
    for name, user in users.items():
        if name != "no_address":
            AddressFactory(user=user, full_name=user.full_name, line1=f"1 {name.title()} Street", is_default=True)
    AddressFactory(
        user=users["welcome"], kind="delivery", full_name="Welcome", line1="2 Delivery Road", is_default=True
    )
    users["formula"].addresses.update(full_name="=HYPERLINK(1)")
    objection_record(user=users["objected"], purposes=["postal_marketing"], source="account")
    objection_record(user=users["unobjected"], purposes=["postal_marketing"], source="account")
    objection_withdraw(user=users["unobjected"], purposes=["postal_marketing"], source="account")
    restriction_create(
        user=users["restricted"], scope="marketing", reason="Disputes accuracy", review_on=datetime.date(2030, 1, 1)
    )
    suppress(email="suppressed@example.com")
    StaffFactory(email="staff@example.com")
    return users


def read(text):
    return list(csv.reader(io.StringIO(text)))


def test_p05_the_command_writes_only_people_we_may_post_to_and_summarises(people, tmp_path, capsys):
    out = tmp_path / "postal.csv"

    call_command("postal_list", "--out", str(out))

    rows = read(out.read_text())
    assert rows[0] == ["Name", "Company", "Address line 1", "Address line 2", "City", "Postcode", "Country"]
    assert sorted(row[0] for row in rows[1:]) == ["'=HYPERLINK(1)", "Unobjected", "Welcome"]
    # The delivery address is the one mailers go to.
    assert [row[2] for row in rows[1:] if row[0] == "Welcome"] == ["2 Delivery Road"]
    printed = capsys.readouterr().out
    assert "Writing the postal marketing list..." in printed
    assert "3 addresses written" in printed
    assert (
        "Wrote 3 addresses to " + str(out) + ". Of 6 customers with an address, 2 objected to postal marketing or "
        "are restricted and 1 are on the suppression list: they are not in the file."
    ) in printed
    event = AuditEvent.objects.get(action="export")
    assert (event.actor_label, event.model, event.detail) == (
        "system",
        "accounts.Address",
        "postal marketing list: 3 addresses",
    )


def test_p22_p23_p20_objected_restricted_and_suppressed_people_are_never_in_the_file(people, tmp_path):
    out = tmp_path / "postal.csv"
    call_command("postal_list", "--out", str(out))
    text = out.read_text()

    for name in ("Objected", "Restricted", "Suppressed", "No_Address", "Staff"):
        assert name not in text


@pytest.mark.parametrize(
    ("make_path", "message"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "missing" / "postal.csv", "does not exist"),
    ],
)
def test_p05_the_command_refuses_a_bad_path_clearly_and_audits_nothing(people, tmp_path, make_path, message):
    with pytest.raises(CommandError, match=message):
        call_command("postal_list", "--out", str(make_path(tmp_path)))
    assert not AuditEvent.objects.filter(action="export").exists()


def test_p05_the_command_does_not_overwrite_a_file_without_force(people, tmp_path):
    out = tmp_path / "postal.csv"
    out.write_text("keep me")

    with pytest.raises(CommandError, match="already exists; add --force"):
        call_command("postal_list", "--out", str(out))
    assert out.read_text() == "keep me"

    call_command("postal_list", "--out", str(out), "--force")
    assert out.read_text().startswith("Name,")


def test_p05_staff_download_the_list_from_the_admin_with_the_permission_and_it_is_audited(client, people):
    staff = UserFactory(is_staff=True)
    staff_login(client, staff)
    assert client.get(ADMIN_URL).status_code == 403
    assert client.get("/admin/marketing/marketingpreference/").status_code == 403

    staff.user_permissions.add(
        Permission.objects.get(codename="export_postal_list"),
        Permission.objects.get(codename="view_marketingpreference"),
    )
    changelist = client.get("/admin/marketing/marketingpreference/").content.decode()
    response = client.get(ADMIN_URL)

    assert "Download the postal marketing list (CSV)" in changelist
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="postal-list-')
    assert "no-store" in response["Cache-Control"]
    assert len(read(response.content.decode())) == 4
    event = AuditEvent.objects.get(action="export")
    assert event.actor == staff and event.detail == "postal marketing list: 3 addresses"


def test_p05_the_list_takes_a_fixed_number_of_queries_per_batch(people, django_assert_num_queries):
    from marketing.services import postal_list_export

    # The audience, suppression and addresses for the batch, the end-of-list probe, the
    # count for the summary and the audit row.
    with django_assert_num_queries(6):
        postal_list_export(out=io.StringIO(), actor=None)
    for n in range(20):
        AddressFactory(user=UserFactory(email=f"more{n}@example.com"))
    with django_assert_num_queries(6):
        counts = postal_list_export(out=io.StringIO(), actor=None)
    assert counts["written"] == 23
