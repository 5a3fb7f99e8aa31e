"""Policy versions (P35): published through an audited service, read-only afterwards, and a
materially changed policy asks signed-in customers to review it."""

import datetime

import pytest
from django.utils import timezone

from privacy.models import AuditEvent, ConsentEvent, PolicyAcknowledgement, PolicyVersion
from privacy.selectors import policy_current
from privacy.selectors.policy import policy_cache_clear
from privacy.services import PolicyError, consent_grant, policy_version_publish
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import PolicyVersionFactory

SUMMARY = "We now name every advertising partner that sets a cookie."
NOTICE = "Our privacy policy changed on"


def publish(staff, **overrides):
    values = {
        "version": "2026.03",
        "effective_date": timezone.localdate(),
        "summary": SUMMARY,
        "is_material": True,
        "published_by": staff,
    }
    values.update(overrides)
    return policy_version_publish(**values)


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def customer(client):
    user = UserFactory()
    staff_login(client, user)
    return user


@pytest.fixture(autouse=True)
def fresh_policy_cache():
    policy_cache_clear()
    yield
    policy_cache_clear()


# --- publishing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_p35_publishing_writes_the_version_and_an_audit_row_without_values(staff):
    policy = publish(staff)

    assert (policy.version, policy.summary, policy.is_material) == ("2026.03", SUMMARY, True)
    audit = AuditEvent.objects.get()
    assert (audit.actor, audit.actor_label, audit.action) == (staff, f"staff #{staff.pk}", "policy")
    assert (audit.model, audit.object_id) == ("privacy.PolicyVersion", str(policy.pk))
    assert audit.fields == ["effective_date", "is_material", "summary", "version"]
    assert SUMMARY not in audit.detail
    assert policy_current() == policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"version": "2018.05"}, "Version 2018.05 has already been published"),
        ({"effective_date": datetime.date(2017, 1, 1)}, "cannot be before that of the latest version, 2018.05"),
        ({"summary": "  "}, "Summarise what changed"),
    ],
)
def test_p35_publishing_refuses_a_bad_version_and_writes_nothing(staff, overrides, message):
    with pytest.raises(PolicyError, match=message):
        publish(staff, **overrides)

    assert list(PolicyVersion.objects.values_list("version", flat=True)) == ["2018.05"]
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_p35_each_consent_records_the_version_in_effect_when_it_was_given(staff):
    customer = UserFactory()
    before = consent_grant(user=customer, purpose="email_marketing", source="account", wording="Email me.")
    publish(staff)

    after = consent_grant(user=customer, purpose="sms_marketing", source="account", wording="Text me.")

    before.refresh_from_db()
    assert before.policy_version.version == "2018.05"
    assert after.policy_version.version == "2026.03"
    assert ConsentEvent.objects.filter(policy_version__version="2026.03").count() == 1


@pytest.mark.django_db
def test_p35_current_version_is_cached_per_process_and_publishing_clears_it(
    staff, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.PRIVACY_POLICY_CACHE_SECONDS = 60
    first = policy_current()
    with django_assert_num_queries(0):
        assert policy_current() == first

    with django_capture_on_commit_callbacks(execute=True):
        published = publish(staff)

    assert policy_current() == published


@pytest.mark.django_db
def test_p35_current_version_is_not_cached_when_the_setting_is_none(settings, django_assert_num_queries):
    settings.PRIVACY_POLICY_CACHE_SECONDS = None
    policy_current()

    with django_assert_num_queries(1):
        policy_current()


# --- the notice ------------------------------------------------------------------------


@pytest.mark.django_db
def test_p35_material_change_shows_the_notice_on_every_page_of_a_signed_in_customer(client, customer, staff):
    policy = publish(staff, effective_date=timezone.localdate())

    for url in ["/", "/services/", "/account/", "/account/preferences/"]:
        html = client.get(url).content.decode()
        assert f"{NOTICE} {policy.effective_date:%-d %B %Y}:</strong> {SUMMARY}" in html, url
        assert '<a class="btn btn-small btn-secondary" href="/privacy/">Review the changes</a>' in html
        assert ">I have read it</button>" in html


@pytest.mark.django_db
def test_p35_no_notice_for_visitors_minor_changes_future_versions_or_the_first_policy(client, staff):
    publish(staff, version="2026.02", is_material=False)
    assert NOTICE not in client.get("/").content.decode()

    publish(staff, version="2099.01", effective_date=timezone.localdate() + datetime.timedelta(days=10))
    staff_login(client, UserFactory())
    assert NOTICE not in client.get("/").content.decode()

    client.logout()
    PolicyVersionFactory(version="2026.04", is_material=True, effective_date=timezone.localdate())
    assert NOTICE not in client.get("/").content.decode()


@pytest.mark.django_db
def test_p35_i_have_read_it_records_the_acknowledgement_and_the_notice_goes(client, customer, staff):
    policy = publish(staff)

    response = client.post("/privacy/policy/reviewed/", {"version": policy.pk, "next": "/services/?q=seo"}, follow=True)

    assert response.redirect_chain == [("/services/?q=seo", 302)]
    ack = PolicyAcknowledgement.objects.get()
    assert (ack.user, ack.policy_version) == (customer, policy)
    assert NOTICE not in response.content.decode()
    client.post("/privacy/policy/reviewed/", {"version": policy.pk})
    assert PolicyAcknowledgement.objects.count() == 1


@pytest.mark.django_db
def test_p35_acknowledged_on_another_device_means_no_notice_here(client, customer, staff):
    policy = publish(staff)
    PolicyAcknowledgement.objects.create(user=customer, policy_version=policy)

    assert NOTICE not in client.get("/").content.decode()


@pytest.mark.django_db
def test_p35_a_newer_material_version_asks_again(client, customer, staff):
    first = publish(staff)
    client.post("/privacy/policy/reviewed/", {"version": first.pk})

    publish(staff, version="2026.09", summary="We keep saved searches for one year instead of two.")

    assert "We keep saved searches for one year instead of two." in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["", "abc", "999999"])
def test_p35_acknowledging_an_unknown_version_is_a_400(client, customer, version):
    response = client.post("/privacy/policy/reviewed/", {"version": version})

    assert response.status_code == 400
    assert response.content.decode() == "That policy version does not exist."
    assert PolicyAcknowledgement.objects.count() == 0


@pytest.mark.django_db
def test_p35_acknowledge_redirects_home_instead_of_to_another_site(client, customer, staff):
    policy = publish(staff)

    response = client.post("/privacy/policy/reviewed/", {"version": policy.pk, "next": "https://evil.example/"})

    assert response["Location"] == "/"


@pytest.mark.django_db
def test_p35_acknowledge_needs_sign_in_and_post(client, staff):
    policy = publish(staff)

    assert client.post("/privacy/policy/reviewed/", {"version": policy.pk}).status_code == 302
    staff_login(client, UserFactory())
    assert client.get("/privacy/policy/reviewed/").status_code == 405
    assert PolicyAcknowledgement.objects.count() == 0


# --- the admin -------------------------------------------------------------------------


@pytest.mark.django_db
def test_p35_staff_publish_in_the_admin_through_the_audited_service(client, staff):
    staff_login(client, staff)

    response = client.post(
        "/admin/privacy/policyversion/add/",
        {"version": "2026.05", "effective_date": "2026-05-01", "summary": SUMMARY, "is_material": "on"},
    )

    assert response.status_code == 302
    policy = PolicyVersion.objects.get(version="2026.05")
    assert policy.is_material is True
    assert AuditEvent.objects.get(action="policy").object_id == str(policy.pk)


@pytest.mark.django_db
def test_p35_admin_refuses_a_duplicate_or_backdated_version_with_a_message(client, staff):
    staff_login(client, staff)

    response = client.post(
        "/admin/privacy/policyversion/add/",
        {"version": "2026.05", "effective_date": "2010-01-01", "summary": SUMMARY},
    )

    assert response.status_code == 200
    assert "cannot be before that of the latest version, 2018.05" in response.content.decode()
    assert PolicyVersion.objects.count() == 1


@pytest.mark.django_db
def test_p35_published_versions_are_read_only_in_the_admin(client, staff):
    staff_login(client, staff)
    policy = PolicyVersion.objects.get(version="2018.05")
    url = f"/admin/privacy/policyversion/{policy.pk}/change/"

    page = client.get(url)
    edit = client.post(url, {"version": "X", "effective_date": "2018-05-25", "summary": "Edited"})
    delete = client.post(f"/admin/privacy/policyversion/{policy.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="summary"' not in page.content.decode()
    assert edit.status_code == 403
    assert delete.status_code == 403
    policy.refresh_from_db()
    assert (policy.version, policy.summary) == (
        "2018.05",
        "The privacy and cookie policy as first implemented in May 2018.",
    )
