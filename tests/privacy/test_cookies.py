"""Cookie declarations, consent cookie, enforcement and Global Privacy Control (P07, P09, P29-P32)."""

import base64
import datetime
import html as html_module
import re
import uuid
import zlib
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.http import HttpResponse
from django.test import Client, RequestFactory

from privacy import checks, cookies
from privacy.middleware import GPC_SEEN_SESSION_KEY, CookieConsentMiddleware
from privacy.models import ConsentEvent, PrivacySignal
from privacy.selectors.policy import policy_cache_clear
from privacy.services import consent_grant
from shop.models import Order
from tests.accounts.factories import PASSWORD, ProfileFactory
from tests.privacy.factories import PolicyVersionFactory
from tests.shop.factories import PlanFactory
from tests.shop.factories_payments import BILLING

pytestmark = pytest.mark.django_db

OPTIONAL = {"kg_analytics", "kg_ad", "kg_aff"}


@pytest.fixture(autouse=True)
def fresh_policy_cache():
    # Policy versions made here are rolled back after the test: no process cache may keep them.
    policy_cache_clear()
    yield
    policy_cache_clear()


def choose(client, choice, **extra):
    return client.post("/privacy/cookies/choice/", {"choice": choice, **extra.pop("data", {})}, **extra)


def consent_payload(client):
    return signing.loads(client.cookies["kg_consent"].value, salt=cookies.SIGNING_SALT)


def set_cookie_names(response):
    return {name for name, morsel in response.cookies.items() if morsel["max-age"] != 0}


def deleted_cookie_names(response):
    return {name for name, morsel in response.cookies.items() if morsel["max-age"] == 0}


# --- P29: categories, every cookie declared ----------------------------------------------


def test_p29_every_declared_cookie_has_a_category_party_lifetime_and_purpose():
    declared = {c.name: c for c in cookies.declared_cookies()}

    assert {"sessionid", "csrftoken", "kg_consent", "kg_analytics", "kg_ad", "kg_aff"} <= set(declared)
    assert {c.category for c in declared.values()} == {"necessary", "analytics", "advertising", "affiliate"}
    for cookie in declared.values():
        assert cookie.party in cookies.PARTIES
        assert cookie.lifetime and cookie.purpose
        assert cookie.max_age is None or cookie.max_age > 0
    assert declared["kg_consent"].category == "necessary"
    assert declared["kg_aff"].category == "affiliate"
    assert declared["kg_ad"].party == "advertising broadcaster"


def test_p29_declaring_a_cookie_twice_differently_names_the_first_declaration():
    with pytest.raises(cookies.AlreadyDeclared, match="kg_ad.*marketing.personal_data"):
        cookies.declare(
            "kg_ad", category="analytics", party="Kinetogram", lifetime="1 day", max_age=86400, purpose="Other."
        )


def test_p29_an_unknown_category_is_refused():
    with pytest.raises(cookies.ImproperlyConfigured, match="unknown category"):
        cookies.declare("x", category="marketing", party="Kinetogram", lifetime="1 day", max_age=1, purpose="X.")


def test_p29_e009_fires_for_an_undeclared_framework_cookie(monkeypatch):
    assert checks.check_cookies() == []
    monkeypatch.delitem(cookies.registry._cookies, "csrftoken")

    errors = checks.check_cookies()

    assert [e.id for e in errors] == ["privacy.E009"]
    assert "'csrftoken'" in errors[0].msg


def test_p29_main_pages_set_only_declared_cookies(client, caplog):
    user = ProfileFactory().user
    plan = PlanFactory(price=Decimal("50.00"))
    seen = set()

    def visit(method, url, data=None):
        response = getattr(client, method)(url, data or {})
        assert response.status_code < 500, url
        seen.update(response.cookies)
        return response

    visit("get", "/")
    visit("post", "/privacy/cookies/choice/", {"choice": "accept"})
    for url in ["/?aff=partner-1", "/services/", plan.service.get_absolute_url(), "/cart/", "/consultation/"]:
        visit("get", url)
    visit("post", "/cart/add/", {"plan": plan.pk, "quantity": 1})
    visit("get", "/checkout/")
    visit("get", "/privacy/cookies/")
    visit("get", "/accounts/login/")
    visit("get", "/accounts/signup/")
    visit("post", "/accounts/login/", {"login": user.email, "password": PASSWORD})
    for url in ["/account/", "/account/your-data/", "/orders/", "/checkout/"]:
        visit("get", url)

    assert seen - cookies.registry.names() == set()
    assert {"sessionid", "csrftoken", "kg_consent", "kg_aff"} <= seen
    assert "undeclared cookie" not in caplog.text


def test_p29_affiliate_cookie_is_set_from_aff_only_when_affiliate_cookies_are_allowed(client):
    before_choice = client.get("/?aff=partner-7")
    choose(client, "custom", data={"categories": ["analytics"]})
    refused = client.get("/?aff=partner-7")
    choose(client, "custom", data={"categories": ["affiliate"]})
    allowed = client.get("/?aff=partner-7")
    bad_code = client.get("/?aff=<script>")

    assert "kg_aff" not in before_choice.cookies
    assert "kg_aff" not in set_cookie_names(refused)
    assert allowed.cookies["kg_aff"].value == "partner-7"
    assert allowed.cookies["kg_aff"]["max-age"] == 30 * 24 * 3600
    assert "kg_aff" not in bad_code.cookies


# --- the consent cookie and the ledger -----------------------------------------------------


def test_after_a_choice_the_visitor_returns_to_the_page_they_were_on(client):
    response = choose(client, "reject", HTTP_REFERER="http://testserver/services/?q=audit")
    offsite = choose(client, "reject", HTTP_REFERER="https://evil.example/services/")

    assert response["Location"] == "http://testserver/services/?q=audit"
    assert offsite["Location"] == "/privacy/cookies/"


def test_a_choice_sets_a_signed_consent_cookie_and_records_one_event_per_cookie_purpose(client):
    response = choose(client, "custom", data={"categories": ["analytics", "affiliate"], "next": "/services/"})

    assert response.status_code == 302
    assert response["Location"] == "/services/"
    payload = consent_payload(client)
    assert set(payload) == {"id", "c", "v"}
    assert payload["c"] == ["affiliate", "analytics"]
    assert payload["v"] == "2018.05"
    events = {e.purpose: e for e in ConsentEvent.objects.all()}
    assert {p: e.action for p, e in events.items()} == {
        "analytics_cookies": "given",
        "advertising_cookies": "withdrawn",
        "affiliate_cookies": "given",
    }
    assert {str(e.anonymous_id) for e in events.values()} == {payload["id"]}
    assert {e.source for e in events.values()} == {"cookie_banner"}
    assert all(e.user is None for e in events.values())


def test_a_later_choice_keeps_the_consent_id_and_links_the_account_when_signed_in(client):
    user = ProfileFactory().user
    choose(client, "accept")
    first_id = consent_payload(client)["id"]
    client.force_login(user)

    choose(client, "reject")

    assert consent_payload(client)["id"] == first_id
    latest = ConsentEvent.objects.filter(action="withdrawn")
    assert latest.count() == 3
    assert {e.user_id for e in latest} == {user.pk}


def test_a_forged_or_tampered_consent_cookie_counts_as_no_choice(client):
    value = cookies.encode_choice(consent_id=uuid.uuid4(), categories=[], policy_version="2018.05")
    payload, signature = value.rsplit(":", 1)
    forged = base64.urlsafe_b64encode(b'{"id":"00000000-0000-0000-0000-000000000000","c":["advertising"],"v":"x"}')
    client.cookies["kg_consent"] = forged.decode().rstrip("=") + ":" + signature

    html = client.get("/").content.decode()

    assert "data-cookie-banner" in html
    assert "data-tag=" not in html


def test_unsafe_next_and_unknown_choices_are_refused_cleanly(client):
    offsite = choose(client, "accept", data={"next": "https://evil.example/"})
    unknown = choose(client, "everything")
    bad_category = choose(client, "custom", data={"categories": ["tracking"]})

    assert offsite["Location"] == "/privacy/cookies/"
    assert unknown.status_code == 400
    assert bad_category.status_code == 400
    assert ConsentEvent.objects.count() == 3  # only the valid first choice


def test_banner_on_first_visit_gone_after_a_choice_and_back_after_a_material_policy(client):
    first = client.get("/").content.decode()
    choose(client, "reject")
    after_choice = client.get("/").content.decode()
    PolicyVersionFactory(version="2030.01", is_material=False)
    after_minor = client.get("/").content.decode()
    PolicyVersionFactory(version="2030.02", is_material=True)
    after_material = client.get("/").content.decode()

    assert "data-cookie-banner" in first
    assert "data-cookie-banner" not in after_choice
    assert "data-cookie-banner" not in after_minor
    assert "data-cookie-banner" in after_material
    assert "Our privacy and cookie policy has changed since you last chose" in after_material


def test_p35_a_material_policy_published_ahead_of_its_date_asks_again_from_that_date_and_not_before(client):
    def at(*moment):
        return time_machine.travel(datetime.datetime(*moment, tzinfo=datetime.UTC), tick=False)

    # given a material version published on 10 January to take effect on 1 February, and a
    # choice made that same day under the policy then in effect
    with at(2030, 1, 10, 12, 0):
        PolicyVersionFactory(version="2030.02", is_material=True, effective_date=datetime.date(2030, 2, 1))
        choose(client, "reject")
        on_the_day_published = client.get("/").content.decode()
    # when the visitor comes back in the last second before that date, and just after it begins
    with at(2030, 1, 31, 23, 59, 59):
        the_second_before = client.get("/").content.decode()
    with at(2030, 2, 1, 0, 0, 1):
        on_the_effective_date = client.get("/").content.decode()
    # then the choice stands until the new policy takes effect, and is asked for again from then
    assert consent_payload(client)["v"] == "2018.05"
    assert "data-cookie-banner" not in on_the_day_published
    assert "data-cookie-banner" not in the_second_before
    assert "data-cookie-banner" in on_the_effective_date
    assert "Our privacy and cookie policy has changed since you last chose" in on_the_effective_date


def test_the_banner_offers_three_equal_buttons_and_no_ticked_box(client):
    html = client.get("/").content.decode()
    banner = html[html.index("data-cookie-banner") : html.index("</section>", html.index("data-cookie-banner"))]

    buttons = re.findall(r'<button [^>]*data-cookie-action="(\w+)"[^>]*>', banner)
    classes = set(re.findall(r'<button [^>]*class="([^"]+)"[^>]*data-cookie-action', banner))
    assert buttons == ["accept", "reject", "choose"]
    assert classes == {"btn cookie-choice-btn"}
    assert " checked" not in banner
    assert banner.count('type="checkbox"') == 3


# --- P30: no personal details in any cookie ----------------------------------------------


def _readable_forms(value):
    """The value, and what a signed Django cookie value decodes to."""
    forms = [value]
    payload = value.split(":", 1)[0]
    compressed = payload.startswith(".")
    try:
        raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
        forms.append((zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace"))
    except (ValueError, zlib.error):
        pass
    return forms


def test_p30_no_cookie_value_holds_the_customers_email_name_or_phone(client):
    profile = ProfileFactory(phone="+44 20 7946 0123")
    user = profile.user
    plan = PlanFactory(price=Decimal("75.00"))
    responses = []

    responses.append(choose(client, "accept"))
    responses.append(client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}))
    responses.append(client.get("/?aff=partner-1"))
    responses.append(client.post("/cart/add/", {"plan": plan.pk, "quantity": 1}))
    responses.append(client.get("/checkout/"))
    responses.append(client.post("/checkout/", BILLING))
    responses.append(client.get("/account/your-data/"))

    assert Order.objects.filter(user=user).count() == 1
    values = [m.value for r in responses for m in r.cookies.values()] + [m.value for m in client.cookies.values()]
    secrets = [user.email, user.email.split("@")[0], user.full_name, profile.phone, "7946", BILLING["billing_name"]]
    for value in values:
        for form in _readable_forms(value):
            for secret in secrets:
                assert secret.lower() not in form.lower(), secret
    assert set(consent_payload(client)) == {"id", "c", "v"}


# --- P31: the table names who sets each cookie --------------------------------------------


def test_p31_cookie_table_names_who_sets_each_cookie(client):
    html = client.get("/privacy/cookies/").content.decode()

    rows = dict(re.findall(r'<tr data-cookie="([^"]+)">(.*?)</tr>', html, re.S))
    assert set(rows) == cookies.registry.names()
    for cookie in cookies.declared_cookies():
        cells = [html_module.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[cookie.name], re.S)]
        assert cells == [
            f"<code>{cookie.name}</code>",
            cookie.category_label,
            cookie.party[0].upper() + cookie.party[1:],
            cookie.lifetime[0].upper() + cookie.lifetime[1:],
            cookie.purpose,
        ]
    assert {"kinetogram", "marketing partner", "advertising broadcaster"} <= {
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2].lower() for row in rows.values()
    }


def test_p31_footer_cookie_settings_link_is_on_every_page(client):
    for url in ["/", "/services/", "/cart/", "/privacy/cookies/", "/accounts/login/", "/no-such-page/"]:
        assert 'href="/privacy/cookies/" data-cookie-settings>Cookie settings</a>' in client.get(url).content.decode()


# --- P32: necessary cookies are enough to buy; none at all is explained -----------------


def test_p32_checkout_completes_with_only_necessary_cookies(client, fake_gateway):
    plan = PlanFactory(price=Decimal("40.00"))
    seen = set()
    for response in [
        choose(client, "reject"),
        client.post("/cart/add/", {"plan": plan.pk, "quantity": 1}),
        client.get("/checkout/"),
        client.post("/checkout/", {**BILLING, "email": "guest@example.com"}),
    ]:
        seen |= set_cookie_names(response)
        last = response

    assert last.status_code == 302
    assert Order.objects.get().email == "guest@example.com"
    assert all(cookies.registry.get(name).is_necessary for name in seen)
    assert not OPTIONAL & set(client.cookies)


def test_p32_a_browser_refusing_all_cookies_gets_an_explanation_at_checkout(client):
    first = client.get("/checkout/")
    client.cookies.clear()  # the browser drops what it was given

    second = client.get(first["Location"])

    assert first.status_code == 302
    assert first["Location"] == "/checkout/?cookie_check=1"
    assert "csrftoken" in first.cookies
    assert second.status_code == 200
    html = second.content.decode()
    assert "Your browser is refusing cookies" in html
    assert "allow cookies for this site" in html
    assert "Error" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_p32_a_browser_keeping_cookies_passes_the_check_to_the_checkout_page(client):
    first = client.get("/checkout/")
    second = client.get(first["Location"])

    assert second.status_code == 200
    assert "Your browser is refusing cookies" not in second.content.decode()


def test_p32_adding_to_cart_without_any_cookie_explains_instead_of_failing(settings):
    settings.DEBUG = False
    plan = PlanFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post("/cart/add/", {"plan": plan.pk, "quantity": 1})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your browser is refusing cookies" in html
    assert "This form has expired" not in html


# --- P07: advertising only after consent, gone after withdrawal --------------------------


def test_p07_advertising_tag_only_after_consent_and_gone_after_withdrawal(client):
    before = client.get("/").content.decode()
    choose(client, "accept")
    after_consent = client.get("/").content.decode()
    client.cookies["kg_ad"] = "0f6c"  # what the tag set in the browser
    withdrawal = choose(client, "reject")
    after_withdrawal = client.get("/").content.decode()

    assert 'data-tag="advertising"' not in before
    assert 'data-tag="analytics"' not in before
    assert 'data-tag="advertising"' in after_consent
    assert 'data-tag="analytics"' in after_consent
    assert "kg_ad" in deleted_cookie_names(withdrawal)
    assert 'data-tag="advertising"' not in after_withdrawal
    assert "kg_ad" not in client.cookies or client.cookies["kg_ad"].value == ""
    actions = list(
        ConsentEvent.objects.filter(purpose="advertising_cookies").order_by("created_at", "id").values_list("action")
    )
    assert actions == [("given",), ("withdrawn",)]


def test_p07_the_footer_withdraws_in_one_click_like_accept_all_gives(client):
    choose(client, "accept")
    footer = client.get("/").content.decode().split('class="site-footer"', 1)[1]

    assert 'name="choice" value="reject"' in footer
    assert "Withdraw cookie consent" in footer


def _middleware_response(request, set_names):
    def view(_request):
        response = HttpResponse("ok")
        for name in set_names:
            response.set_cookie(name, "v")
        return response

    return CookieConsentMiddleware(view)(request)


def test_p07_a_non_necessary_cookie_without_consent_is_stripped_from_any_response():
    request = RequestFactory().get("/")

    response = _middleware_response(request, ["kg_ad", "kg_analytics", "kg_aff", "csrftoken", "undeclared_x"])

    assert set(response.cookies) == {"csrftoken"}


def test_p07_declined_cookies_the_browser_holds_are_expired():
    value = cookies.encode_choice(consent_id=uuid.uuid4(), categories=["analytics"], policy_version="")
    request = RequestFactory().get("/")
    request.COOKIES = {"kg_consent": value, "kg_ad": "1", "kg_aff": "p", "kg_analytics": "a", "sessionid": "s"}

    response = _middleware_response(request, [])

    assert deleted_cookie_names(response) == {"kg_ad", "kg_aff"}


# --- P09: Global Privacy Control ---------------------------------------------------------


def test_p09_gpc_makes_accept_all_accept_only_necessary_and_analytics(client):
    choose(client, "accept", HTTP_SEC_GPC="1")
    page = client.get("/?aff=partner-1", HTTP_SEC_GPC="1")

    assert consent_payload(client)["c"] == ["analytics"]
    actions = {e.purpose: (e.action, e.source) for e in ConsentEvent.objects.all()}
    assert actions == {
        "analytics_cookies": ("given", "cookie_banner"),
        "advertising_cookies": ("withdrawn", "gpc"),
        "affiliate_cookies": ("withdrawn", "gpc"),
    }
    html = page.content.decode()
    assert 'data-tag="analytics"' in html
    assert 'data-tag="advertising"' not in html
    assert "kg_aff" not in page.cookies


def test_p09_gpc_overrides_an_earlier_accept_all_cookie(client):
    choose(client, "accept")
    client.cookies["kg_ad"] = "1"

    page = client.get("/?aff=partner-1", HTTP_SEC_GPC="1")

    html = page.content.decode()
    assert 'data-tag="advertising"' not in html
    assert "kg_ad" in deleted_cookie_names(page)
    assert "kg_aff" not in set_cookie_names(page)


def test_p09_gpc_banner_and_settings_page_say_it_is_honoured(client):
    banner = client.get("/", HTTP_SEC_GPC="1").content.decode()
    settings_page = client.get("/privacy/cookies/", HTTP_SEC_GPC="1").content.decode()
    without = client.get("/").content.decode()

    assert "Global Privacy Control honoured" in banner
    assert "Global Privacy Control honoured" in settings_page
    assert settings_page.count("Off: Global Privacy Control") == 2
    assert "Global Privacy Control honoured" not in without


def test_p09_gpc_of_a_signed_in_customer_is_stored_and_withdraws_granted_consent_once(client):
    user = ProfileFactory().user
    consent_grant(purpose="advertising_cookies", source="cookie_banner", wording="Accept all", user=user)
    client.force_login(user)

    client.get("/", HTTP_SEC_GPC="1")
    your_data = client.get("/account/your-data/", HTTP_SEC_GPC="1")
    session = client.session
    session[GPC_SEEN_SESSION_KEY] = "2000-01-01"  # the next day
    session.save()
    first_seen = PrivacySignal.objects.get(user=user).gpc_first_seen_at
    client.get("/", HTTP_SEC_GPC="1")

    signal = PrivacySignal.objects.get(user=user)
    assert signal.gpc_first_seen_at == first_seen
    assert signal.gpc_last_seen_at > first_seen
    gpc_events = ConsentEvent.objects.filter(user=user, source="gpc")
    assert list(gpc_events.values_list("purpose", "action")) == [("advertising_cookies", "withdrawn")]
    assert "Global Privacy Control honoured" in your_data.content.decode()


def test_p09_no_gpc_header_stores_nothing(client):
    user = ProfileFactory().user
    client.force_login(user)

    client.get("/")

    assert PrivacySignal.objects.count() == 0


def test_p30_a_consent_cookie_older_than_its_lifetime_counts_as_no_choice():
    import datetime
    import uuid

    import time_machine

    from privacy import cookies as cookie_module
    from privacy.conf import settings as privacy_settings

    value = cookie_module.encode_choice(consent_id=uuid.uuid4(), categories=["analytics"], policy_version="2018.05")
    assert cookie_module.decode_choice(value)["categories"] == frozenset({"analytics"})
    later = datetime.timedelta(seconds=privacy_settings.CONSENT_COOKIE_AGE + 60)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + later):
        assert cookie_module.decode_choice(value) is None


def test_p30_a_customer_signing_in_on_another_device_gets_the_choice_made_on_the_first(client):
    # given a choice made on a laptop while signed in
    user = ProfileFactory().user
    client.force_login(user)
    choose(client, "custom", data={"categories": ["analytics"]})
    laptop_id = consent_payload(client)["id"]
    # when the customer signs in on a phone that has no consent cookie
    phone = Client()
    phone.force_login(user)
    first = phone.get("/")
    # then the phone gets the same choice, without a new ledger event, and no banner
    assert consent_payload(phone) == {"id": laptop_id, "c": ["analytics"], "v": consent_payload(client)["v"]}
    assert first.context["cookie_consent"].needs_choice is False
    assert b'id="cookie-banner"' not in first.content
    assert ConsentEvent.objects.filter(user=user).count() == 3


def test_pages_after_sign_in_never_ask_the_ledger_for_the_cookie_choice(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = ProfileFactory().user
    client.force_login(user)

    # The catalogue: the home page's tailored offers ask the ledger for an objection (P06).
    with CaptureQueriesContext(connection) as queries:
        client.get("/services/")

    assert "kg_consent" not in client.cookies
    assert not [q for q in queries.captured_queries if "privacy_consentevent" in q["sql"]]
