"""/privacy/ and /privacy/contact/: the policy rendered from the declarations (P04, P08-P15, P26, P33, P34)."""

import datetime
import html

import pytest
from django.urls import reverse

from privacy import purposes
from privacy.registry import Category, Retention, Source, site
from shop.personal_data import ReviewData
from tests.privacy.factories import PolicyVersionFactory, ProcessorFactory


def _page(client):
    response = client.get(reverse("privacy:policy"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _section(page, anchor, end="</section>"):
    start = page.index(f'id="{anchor}"')
    return page[start : page.index(end, start)]


@pytest.mark.django_db
def test_policy_page_is_at_privacy_and_linked_from_every_page_footer(client):
    assert reverse("privacy:policy") == "/privacy/"
    home = client.get("/").content.decode()
    assert '<a href="/privacy/">Privacy policy</a>' in home


@pytest.mark.django_db
def test_p04_p26_every_purpose_is_shown_with_its_legal_basis(client):
    page = _section(_page(client), "why")

    for purpose in purposes.PURPOSES.values():
        item = _section(page, f"purpose-{purpose.key}", end="</div>")
        assert purpose.name in item
        assert purpose.description in item
        group_start = page.rindex("basis-group basis-", 0, page.index(f'id="purpose-{purpose.key}"'))
        assert page[group_start:].startswith(f"basis-group basis-{purpose.basis}")
    for label in ("Performance of a contract", "Legal obligation", "Legitimate interests", "Consent"):
        assert label in page


def test_p26_consent_is_the_basis_only_for_email_and_sms_marketing_and_cookies():
    consent = {key for key, p in purposes.PURPOSES.items() if p.needs_consent}

    assert consent == {
        "email_marketing",
        "sms_marketing",
        "analytics_cookies",
        "advertising_cookies",
        "affiliate_cookies",
    }


@pytest.mark.django_db
def test_p26_only_consent_purposes_are_marked_as_needing_consent_on_the_page(client):
    page = _section(_page(client), "why")

    marked = {
        key for key in purposes.PURPOSES if "Only with your consent" in _section(page, f"purpose-{key}", "</div>")
    }
    assert marked == {key for key, p in purposes.PURPOSES.items() if p.needs_consent}


@pytest.mark.django_db
def test_p28_the_legitimate_interests_are_listed(client):
    page = _section(_page(client), "legitimate-interests")

    interests = [p for p in purposes.PURPOSES.values() if p.basis == purposes.LegalBasis.LEGITIMATE_INTEREST]
    assert len(interests) == 5
    for purpose in interests:
        assert f"{purpose.name}: {purpose.interest}" in page.replace("</strong>", "").replace("<strong>", "")


@pytest.mark.django_db
def test_what_we_collect_lists_every_category_with_its_records_and_descriptions(client):
    page = _section(_page(client), "what-we-collect")

    for declaration in site.holding_personal_data():
        for category in declaration.categories():
            card = _section(page, f"category-{category}", end="</article>")
            assert str(Category(category).label) in card
            assert declaration.verbose_name in card
            if declaration.description:
                assert declaration.description in card
    # The Stripe event table holds no personal data, so it is not listed as something we collect.
    assert "Stripe webhook deliveries" not in page


@pytest.mark.django_db
def test_p10_every_retention_rule_is_shown_with_its_records(client):
    page = _section(_page(client), "how-long")

    for declaration in site.holding_personal_data():
        assert declaration.retention.describe().capitalize()[:40] in page
        assert declaration.verbose_name in page
    assert "the longest is 6 years" in page


@pytest.mark.django_db
def test_p13_p14_every_source_is_shown_including_partners(client):
    page = _section(_page(client), "where-from")

    used = {d.source for d in site.holding_personal_data()}
    assert Source.PARTNER in used
    for source in used:
        assert f'source-card source-{source}"' in page
        assert str(Source(source).label) in page
    partner = page.split("source-partner")[1].split("</article>")[0]
    assert "Invoices" in partner


@pytest.mark.django_db
def test_p08_active_processors_are_listed_and_inactive_ones_are_not(client):
    ProcessorFactory(name="Parcelnet", kind="delivery", categories=["identity", "address"], location="United Kingdom")
    ProcessorFactory(name="Old Mailer", is_active=False)

    page = _section(_page(client), "sharing")

    assert "Stripe Payments Europe, Ltd." in page
    assert "Parcelnet" in page and "Delivery" in page
    assert "Identity (name, company); Postal addresses and location" in page
    assert "Old Mailer" not in page


@pytest.mark.django_db
def test_p09_never_sold_or_rented_and_the_authorities_clause(client):
    page = _section(_page(client), "sharing")

    assert "We will never sell or rent your personal data" in page
    assert "governmental bodies, regulators, law enforcement agencies, courts or tribunals and insurers" in page
    assert "credit reference agencies" in page
    assert "Global Privacy Control" in page


@pytest.mark.django_db
def test_cookies_section_links_to_the_cookie_page(client):
    assert 'href="/privacy/cookies/"' in _section(_page(client), "cookies")


@pytest.mark.django_db
def test_rights_are_listed_with_how_to_use_them(client):
    page = _section(_page(client), "your-rights")

    for right in ("Access", "Erasure", "Rectification", "Restriction", "Objection", "Portability"):
        assert f"<h3>{right}</h3>" in page
    assert 'href="/account/your-data/"' in page
    assert 'href="/privacy/contact/"' in page


@pytest.mark.django_db
def test_p12_children_statement_is_present(client):
    page = _section(_page(client), "children")

    assert "not intended for children" in page
    assert "we do not knowingly collect data relating to children" in page


@pytest.mark.django_db
def test_p15_security_statement_is_present(client):
    page = _section(_page(client), "security")

    for measure in ("encryption of data", "regular cyber security assessments", "unauthorised access"):
        assert measure in page


@pytest.mark.django_db
def test_p33_dpo_contact_comes_from_settings_on_the_policy_and_contact_pages(client, settings):
    settings.PRIVACY_DPO_NAME = "Data Protection Officer, Jane Ng"
    settings.PRIVACY_DPO_EMAIL = "privacy-officer@example.com"
    settings.PRIVACY_DPO_PHONE = "+44 20 7946 0123"

    contact = client.get(reverse("privacy:contact"))

    assert reverse("privacy:contact") == "/privacy/contact/"
    assert contact.status_code == 200
    for text in (_section(_page(client), "contact"), html.unescape(contact.content.decode())):
        assert "Data Protection Officer, Jane Ng" in text
        assert 'href="mailto:privacy-officer@example.com"' in text
        assert 'href="tel:+442079460123"' in text
        assert "+44 20 7946 0123" in text


@pytest.mark.django_db
def test_p34_the_right_to_complain_to_the_ico_with_its_link(client):
    page = _section(_page(client), "complaints")
    contact = client.get(reverse("privacy:contact")).content.decode()

    assert "Information Commissioner’s Office" in page
    assert 'href="https://ico.org.uk/make-a-complaint/"' in page
    assert 'href="https://ico.org.uk/make-a-complaint/"' in contact


@pytest.mark.django_db
def test_p35_current_version_and_effective_date_with_earlier_versions_listed(client):
    PolicyVersionFactory(version="2025.01", effective_date=datetime.date(2025, 1, 6), summary="Cookie choices.")
    PolicyVersionFactory(
        version="2026.02",
        effective_date=datetime.date(2026, 2, 1),
        summary="Tailored offers explained.",
        is_material=True,
    )

    page = _page(client)
    changes = _section(page, "changes")

    assert "Version 2026.02" in page.split('id="summary"')[0]
    assert "In effect since" in page and "1 February 2026" in page
    assert "This is version <strong>2026.02</strong>" in changes and "Tailored offers explained." in changes
    earlier = changes.split("Earlier versions")[1]
    assert earlier.index("2025.01") < earlier.index("2018.05")
    assert "Cookie choices." in earlier and "as first implemented in May 2018" in earlier


@pytest.mark.django_db
def test_policy_page_query_count_is_constant(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get(reverse("privacy:policy"))
    ProcessorFactory.create_batch(5)
    PolicyVersionFactory.create_batch(5)
    with django_assert_num_queries(2):
        response = client.get(reverse("privacy:policy"))
    # The current version heads the page; the five before it are listed as earlier versions.
    assert response.content.decode().count("<strong>Version ") == 5


@pytest.mark.django_db
def test_the_page_changes_when_a_declaration_changes(client, monkeypatch):
    before = _page(client)
    assert "Reviews you wrote about services you bought." in before

    monkeypatch.setattr(ReviewData, "description", "Reviews and star ratings you published.")
    monkeypatch.setattr(ReviewData, "retention", Retention(from_field="created_at", months=18, event="publication"))
    monkeypatch.setattr(ReviewData, "source", Source.PARTNER)
    after = _page(client)

    assert "Reviews you wrote about services you bought." not in after
    assert "Reviews and star ratings you published." in _section(after, "what-we-collect")
    assert "18 months after publication, then deleted" in _section(after, "how-long")
    partner = _section(after, "where-from").split("source-partner")[1].split("</article>")[0]
    assert "Reviews" in partner


@pytest.mark.django_db
def test_policy_pages_refuse_post(client):
    assert client.post(reverse("privacy:policy")).status_code == 405
    assert client.post(reverse("privacy:contact")).status_code == 405


@pytest.mark.django_db
def test_p25_the_policy_says_how_to_use_each_right_with_and_without_an_account(client):
    html = client.get("/privacy/").content.decode()
    rights = html[html.index('id="your-rights"') : html.index('id="children"')]
    assert 'href="/account/your-data/"' in rights
    assert 'href="/privacy/request/"' in rights
    assert "have it sent to another organisation" not in rights  # not something we do
