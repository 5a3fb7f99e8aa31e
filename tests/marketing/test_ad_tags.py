"""P07: advertising tags configured in the admin appear only with advertising-cookie consent,
never under Global Privacy Control (P09) and never for a restricted customer (P23); every
script carries the response's CSP nonce (FE-02)."""

import re

import pytest

from marketing.models import AdTag
from marketing.snippets import with_nonce
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import RestrictionFactory

pytestmark = pytest.mark.django_db

HEAD = '<script src="https://ads.broadcaster.example/tag.js" async></script>'
BODY = (
    '<script>window.kgAdBody = 1;</script><noscript><img src="https://ads.broadcaster.example/p.gif" alt=""></noscript>'
)


@pytest.fixture(autouse=True)
def tags():
    AdTag.objects.create(name="Broadcaster head", snippet=HEAD, placement=AdTag.Placement.HEAD)
    AdTag.objects.create(name="Broadcaster pixel", snippet=BODY, placement=AdTag.Placement.BODY_END)
    AdTag.objects.create(name="Paused", snippet="<script>window.kgPaused = 1;</script>", is_active=False)


def shown(response):
    html = response.content.decode()
    return {
        name for name, marker in (("head", "ads.broadcaster.example/tag.js"), ("body", "kgAdBody")) if marker in html
    }


def choose(client, choice):
    client.post("/privacy/cookies/choice/", {"choice": choice})


def test_p07_no_ad_tag_before_any_choice(client):
    assert shown(client.get("/")) == set()


def test_p07_no_ad_tag_after_refusing_or_allowing_only_other_categories(client):
    choose(client, "reject")
    assert shown(client.get("/")) == set()

    client.post("/privacy/cookies/choice/", {"choice": "custom", "categories": ["analytics", "affiliate"]})
    assert shown(client.get("/")) == set()


def test_p07_ad_tags_in_their_places_after_consent(client):
    choose(client, "accept")

    html = client.get("/").content.decode()
    head, body = html.split("</head>", 1)
    assert "ads.broadcaster.example/tag.js" in head and "kgAdBody" in body.rsplit("</footer>", 1)[1]
    assert "kgPaused" not in html


def test_p07_consent_to_advertising_alone_is_enough(client):
    client.post("/privacy/cookies/choice/", {"choice": "custom", "categories": ["advertising"]})
    response = client.get("/")

    assert response.context["cookie_consent"].allowed == {"advertising"}
    assert shown(response) == {"head", "body"}


def test_p09_no_ad_tag_under_global_privacy_control_even_after_accepting(client):
    choose(client, "accept")

    assert shown(client.get("/", HTTP_SEC_GPC="1")) == set()


def test_p07_the_tags_go_when_consent_is_withdrawn(client):
    choose(client, "accept")
    assert shown(client.get("/")) == {"head", "body"}

    choose(client, "reject")

    assert shown(client.get("/")) == set()


@pytest.mark.parametrize("scope", ["marketing", "all"])
def test_p23_no_ad_tag_for_a_restricted_customer(client, scope):
    user = UserFactory()
    staff_login(client, user)
    choose(client, "accept")
    RestrictionFactory(user=user, scope=scope)

    assert shown(client.get("/")) == set()


def test_fe02_every_ad_script_carries_the_nonce_of_the_responses_policy(client):
    choose(client, "accept")

    response = client.get("/")

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert f'<script nonce="{nonce}" src="https://ads.broadcaster.example/tag.js" async></script>' in html
    assert f'<script nonce="{nonce}">window.kgAdBody = 1;</script>' in html
    assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src", 1)[1].split(";")[0]


def test_fe02_a_snippet_cannot_bring_a_nonce_of_its_own():
    snippet = "<SCRIPT nonce='guess' src='/x.js'></SCRIPT><script nonce=abc>1</script><p onclick=\"x()\">ad</p>"

    assert with_nonce(snippet, "N1") == (
        '<script nonce="N1" src=\'/x.js\'></SCRIPT><script nonce="N1">1</script><p onclick="x()">ad</p>'
    )


def test_p07_without_consent_the_tags_cost_no_query(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as page:
        client.get("/")

    assert [q for q in page.captured_queries if "marketing_adtag" in q["sql"]] == []


def test_p07_with_consent_both_placements_are_read_in_one_query(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    choose(client, "accept")
    with CaptureQueriesContext(connection) as page:
        client.get("/")

    assert len([q for q in page.captured_queries if "marketing_adtag" in q["sql"]]) == 1


def test_p07_staff_add_an_ad_tag_in_the_admin(client):
    staff_login(client, StaffFactory())

    response = client.post(
        "/admin/marketing/adtag/add/",
        {"name": "New broadcaster", "placement": "head", "is_active": "on", "snippet": "<script src='/a.js'></script>"},
    )

    assert response.status_code == 302
    assert AdTag.objects.get(name="New broadcaster").placement == "head"
