"""Staff write, preview, test, send and follow campaigns in the admin (P05)."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketing.models import Campaign, CampaignSend
from privacy.models import AuditEvent
from tests.accounts.factories import StaffFactory
from tests.accounts.utils import staff_login
from tests.marketing.factories import CampaignFactory, subscriber

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/marketing/campaign/"


@pytest.fixture
def staff(client):
    user = StaffFactory(email="staff@kinetogram.example", full_name="Sam Staff")
    staff_login(client, user)
    return user


def form_data(campaign, **changes):
    data = {
        "name": campaign.name,
        "slug": campaign.slug,
        "audience": campaign.audience,
        "category": "",
        "scheduled_at_0": "",
        "scheduled_at_1": "",
        "subject": campaign.subject,
        "body_html": campaign.body_html,
        "body_text": campaign.body_text,
    }
    data.update(changes)
    return data


def test_p05_the_campaign_list_costs_the_same_queries_for_3_or_12_campaigns(client, staff):
    client.get(CHANGELIST)  # the first page of a session fills per-process caches

    def queries_for(count):
        for _ in range(count - Campaign.objects.count()):
            CampaignFactory()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGELIST).status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


def test_p05_the_change_page_previews_the_email_for_the_staff_member_and_shows_progress(client, staff):
    campaign = CampaignFactory(subject="{{ first_name }}, spring offers")

    html = client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()

    assert "Sam, spring offers" in html
    assert "sent ·" in html and "failed" in html and "unsubscribes" in html
    assert f"/admin/marketing/campaign/{campaign.pk}/preview/" in html
    preview = client.get(f"/admin/marketing/campaign/{campaign.pk}/preview/")
    assert preview.status_code == 200
    assert "Hello Sam," in preview.content.decode()
    assert "'unsafe-inline'" in preview["Content-Security-Policy"]
    policy = preview["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "form-action 'none'" in policy
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_p05_a_broken_template_is_refused_with_a_message(client, staff):
    campaign = CampaignFactory()
    response = client.post(f"{CHANGELIST}{campaign.pk}/change/", form_data(campaign, body_html="{% if %}"))
    assert response.status_code == 200
    assert "This template does not work" in response.content.decode()


def test_p05_the_test_button_sends_one_copy_to_the_staff_address(client, staff, django_capture_on_commit_callbacks):
    subscriber(email="customer@example.com")
    campaign = CampaignFactory()

    response = client.post(f"{CHANGELIST}{campaign.pk}/change/", form_data(campaign, _send_test="1"))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["staff@kinetogram.example"]]
    assert mail.outbox[0].subject.startswith("[Test] ")


def test_p05_the_send_now_button_sends_and_the_page_counts_it(client, staff, django_capture_on_commit_callbacks):
    subscriber(email="customer@example.com")
    campaign = CampaignFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{CHANGELIST}{campaign.pk}/change/", form_data(campaign, _send_now="1"))

    assert [m.to for m in mail.outbox] == [["customer@example.com"]]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    html = client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()
    assert "<strong>1</strong> sent" in html
    assert 'name="_send_now"' not in html  # a sent campaign cannot be sent again


def test_p05_schedule_needs_a_time(client, staff):
    campaign = CampaignFactory()
    response = client.post(f"{CHANGELIST}{campaign.pk}/change/", form_data(campaign, _schedule="1"), follow=True)
    assert "Fill in “Scheduled at”" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_p05_looking_at_a_send_log_row_is_audited(client, staff):
    subscriber(email="customer@example.com")
    campaign = CampaignFactory()
    call_command("campaign_send", campaign.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    row = CampaignSend.objects.get()

    assert client.get(f"/admin/marketing/campaignsend/{row.pk}/change/").status_code == 200

    assert AuditEvent.objects.filter(action="view", object_id=str(row.pk)).count() == 1


def test_p05_campaign_send_command_sends_with_progress_and_a_summary(capsys):
    for n in range(5):
        subscriber(email=f"c{n}@example.com")
    campaign = CampaignFactory(slug="spring")

    call_command("campaign_send", "spring", "--batch-size", "2")

    out = capsys.readouterr().out
    assert "batch 1: 2 sent" in out and "batch 3: 5 sent" in out
    assert "“" + campaign.name + "”: finished. 5 sent, 0 failed, 0 left out as suppressed, in 3 batch(es)." in out
    assert len(mail.outbox) == 5


def test_p05_campaign_send_dry_run_counts_and_sends_nothing(capsys):
    for n in range(3):
        subscriber(email=f"c{n}@example.com")
    CampaignFactory(slug="spring")

    call_command("campaign_send", "spring", "--dry-run")

    assert "3 would receive it now" in capsys.readouterr().out
    assert mail.outbox == [] and not CampaignSend.objects.exists()
    assert Campaign.objects.get().status == Campaign.Status.DRAFT


def test_p05_campaign_send_refuses_an_unknown_slug_or_a_sent_campaign():
    CampaignFactory(slug="spring")
    with pytest.raises(CommandError, match="No campaign has the slug 'sprung'. Campaigns: spring."):
        call_command("campaign_send", "sprung")
    CampaignFactory(slug="old", status=Campaign.Status.SENT)
    with pytest.raises(CommandError, match="cannot be scheduled"):
        call_command("campaign_send", "old")
