"""``manage.py privacy_export --email E --out F.zip`` (P19, P24): the same zip, written at once."""

import io
import json
import os
import zipfile

import pytest
from django.core.management import CommandError, call_command

from privacy.models import AuditEvent, DataExport
from tests.accounts.factories import UserFactory
from tests.shop.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("privacy_export", *args, stdout=out)
    return out.getvalue()


def test_p19_privacy_export_writes_the_persons_zip_and_prints_a_summary(tmp_path):
    # given
    customer = UserFactory(email="cmd@example.com")
    OrderFactory.create_batch(3, user=customer)
    OrderFactory(user=None, email="someone.else@example.com")
    target = tmp_path / "data.zip"
    # when
    output = _run("--email", "CMD@example.com", "--out", str(target))
    # then
    archive = zipfile.ZipFile(target)
    data = json.loads(archive.read("data.json"))
    assert len(data["records"]["Orders"]) == 3
    assert {"index.html", "schema.json", "csv/orders.csv"} <= set(archive.namelist())
    lines = output.splitlines()
    assert lines[0].startswith(f"Wrote {target} ({target.stat().st_size:,} bytes): ")
    assert "  Orders " in output and output.rstrip().count("\n") >= 2
    assert [name for name in os.listdir(tmp_path)] == ["data.zip"]
    # the same builder, audited, without a download record
    assert DataExport.objects.count() == 0
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.subject_id) == (None, str(customer.pk))
    assert event.detail.startswith("written to a file: ")


def test_p19_privacy_export_for_a_person_without_an_account_exports_their_email_rows(tmp_path):
    OrderFactory(user=None, email="guest@example.com", billing_name="Guest Buyer")
    target = tmp_path / "guest.zip"
    _run("--email", "guest@example.com", "--out", str(target))
    data = json.loads(zipfile.ZipFile(target).read("data.json"))
    assert [row["billing_name"] for row in data["records"]["Orders"]] == ["Guest Buyer"]


def test_p19_privacy_export_refuses_an_unknown_email_and_writes_nothing(tmp_path):
    target = tmp_path / "nobody.zip"
    with pytest.raises(CommandError, match="No account and no personal data is held for that email address"):
        _run("--email", "nobody@example.com", "--out", str(target))
    assert os.listdir(tmp_path) == []
    assert not AuditEvent.objects.exists()


def test_p19_privacy_export_refuses_a_malformed_email(tmp_path):
    with pytest.raises(CommandError, match="is not an email address"):
        _run("--email", "not-an-email", "--out", str(tmp_path / "x.zip"))


@pytest.mark.parametrize("where", ["missing-folder/data.zip", "."])
def test_p19_privacy_export_refuses_a_path_it_cannot_write(tmp_path, where):
    UserFactory(email="cmd@example.com")
    with pytest.raises(CommandError, match="Cannot write|is a folder"):
        _run("--email", "cmd@example.com", "--out", str(tmp_path / where))
    assert not AuditEvent.objects.exists()


def test_p19_privacy_export_refuses_a_folder_it_may_not_write_to(tmp_path, monkeypatch):
    UserFactory(email="cmd@example.com")
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(CommandError, match="permission denied"):
        _run("--email", "cmd@example.com", "--out", str(tmp_path / "data.zip"))
    assert os.listdir(tmp_path) == []
