"""A customer downloads the copy of their data from the emailed link and opens its summary
offline (P19, P24); a person without an account does the same from the signed link."""

import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from privacy.services import export_request
from privacy.subjects import Subject
from tests.accounts.factories import UserFactory
from tests.accounts.utils import staff_login
from tests.shop.factories import OrderFactory

SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for people to look at, never read back)


def _sign_in(page, live_server, user):
    client = Client()
    staff_login(client, user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _emailed_link(live_server) -> str:
    [message] = mail.outbox
    path = re.search(r"https?://\S+(/privacy/download/\S+/)", message.body).group(1)
    return live_server.url + path


def _download(page, link, tmp_path) -> Path:
    # A download is started from a link, as the email's button does.
    page.set_content(f'<a href="{link}">Download your data</a>')
    with page.expect_download() as started:
        page.get_by_role("link", name="Download your data").click()
    download = started.value
    assert download.suggested_filename.startswith("kinetogram-data-") and download.suggested_filename.endswith(".zip")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def _open_summary_offline(page, archive: Path, tmp_path, name: str):
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(archive).extractall(folder)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto((folder / "index.html").as_uri())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert [url for url in requested if not url.startswith("file://")] == []
    return folder


@pytest.mark.django_db(transaction=True)
def test_p19_a_customer_downloads_their_data_and_opens_the_summary_offline(live_server, page, tmp_path):
    mail.outbox = []
    customer = UserFactory(email="journey@example.com", full_name="Jo Journey")
    OrderFactory(user=customer, billing_name="Jo Journey", billing_line1="12 Quay Street")
    export_request(subject=Subject.of(user=customer), actor=customer)
    link = _emailed_link(live_server)

    # Only the signed-in owner can use the link.
    page.goto(link)
    assert "/accounts/login/" in page.url
    _sign_in(page, live_server, customer)
    archive = _download(page, link, tmp_path)

    folder = _open_summary_offline(page, archive, tmp_path, "export_index")
    assert page.get_by_role("heading", name="Your data held by").is_visible()
    orders = page.locator("article#orders")
    assert orders.get_by_role("heading", name="Orders").is_visible()
    assert orders.get_by_text("Given by you").is_visible()
    assert orders.get_by_role("cell", name="12 Quay Street").is_visible()
    assert page.get_by_role("heading", name="Automated decision-making").is_visible()
    assert (folder / "data.json").exists() and (folder / "schema.json").exists()
    assert (folder / "csv" / "orders.csv").read_text(encoding="utf-8").count("12 Quay Street") == 1


@pytest.mark.django_db(transaction=True)
def test_p19_a_person_without_an_account_downloads_from_the_signed_link(live_server, page, tmp_path):
    mail.outbox = []
    OrderFactory(user=None, email="guest.journey@example.com", billing_name="Guest Journey")
    export_request(subject=Subject.of(email="guest.journey@example.com"))
    archive = _download(page, _emailed_link(live_server), tmp_path)
    _open_summary_offline(page, archive, tmp_path, "export_index_guest")
    assert page.locator("article#orders").get_by_role("cell", name="Guest Journey").is_visible()
