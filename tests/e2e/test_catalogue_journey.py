"""A visitor finds a subscription by a word in its description, buys into it and changes their mind."""

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from shop.models import Plan
from tests.shop.factories import CategoryFactory, PlanFactory, ReviewFactory, ServiceFactory

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/shots/catalogue")  # noqa: S108 (screenshots to look at, not secrets)
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def shoot(page, name):
    """Full-page screenshots at desktop and at 390px phone width."""
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}-desktop.png", full_page=True)
    page.set_viewport_size(MOBILE)
    page.wait_for_timeout(200)  # let media-query listeners run
    page.screenshot(path=f"{SHOTS}/{name}-mobile.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def make_catalogue():
    social = CategoryFactory(name="Social media", slug="social-media")
    email = CategoryFactory(name="Email marketing", slug="email-marketing")
    audits = CategoryFactory(name="Audits", slug="audits")
    inbox = ServiceFactory(
        name="Inbox Growth",
        slug="inbox-growth",
        category=email,
        summary="A monthly email campaign written, designed and sent for you.",
        description=(
            "We plan, write and send your newsletters every month.\n\nYou approve every issue before it goes out."
        ),
    )
    PlanFactory(service=inbox, name="Single campaign", price=Decimal("290.00"), features="One campaign\nDesign")
    PlanFactory(
        service=inbox,
        name="Monthly",
        billing=Plan.Billing.MONTHLY,
        price=Decimal("149.00"),
        features="Two campaigns a month\nList clean-up\nMonthly report",
    )
    PlanFactory(
        service=inbox, name="Yearly", billing=Plan.Billing.YEARLY, price=Decimal("1490.00"), features="Two months free"
    )
    ReviewFactory(service=inbox, rating=5, title="Our open rate doubled", user__full_name="Grace Hopper")
    ReviewFactory(service=inbox, rating=4, title="Clear and on time", user__full_name="Alan Turing")
    one_off_news = ServiceFactory(
        name="Newsletter template",
        slug="newsletter-template",
        category=email,
        summary="A reusable template in your brand colours.",
        description="A template for your newsletters, delivered once.",
    )
    PlanFactory(service=one_off_news, name="Template", price=Decimal("390.00"))
    for n, (name, category, price) in enumerate(
        [
            ("Social starter", social, "99.00"),
            ("Social pro", social, "249.00"),
            ("SEO audit", audits, "450.00"),
            ("Accessibility audit", audits, "600.00"),
        ]
    ):
        service = ServiceFactory(
            name=name, slug=f"svc-{n}", category=category, summary=f"{name}: what you get, in one line."
        )
        PlanFactory(service=service, name="Monthly", billing=Plan.Billing.MONTHLY, price=Decimal(price))


@pytest.mark.django_db(transaction=True)
def test_find_a_subscription_add_it_change_the_quantity_and_remove_it(live_server, page):
    # given
    make_catalogue()
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Browse by category")).to_be_visible()
    shoot(page, "home")

    # when: search for a word that only the description holds, subscriptions only
    page.goto(live_server.url + "/services/")
    page.get_by_label("Search").fill("newsletters")
    page.get_by_label("Kind").select_option("subscription")
    page.get_by_role("button", name="Show services").click()
    # then: the monthly newsletter service is found, the one-off template is not
    expect(page.get_by_role("heading", name="1 service for “newsletters”")).to_be_visible()
    card = page.locator(".service-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Inbox Growth")
    expect(card).to_contain_text("from £149 / month")
    shoot(page, "catalogue")
    page.goto(live_server.url + "/services/")
    expect(page.locator(".service-card")).to_have_count(6)
    shoot(page, "catalogue-all")
    page.go_back()

    # when: open it
    page.get_by_role("link", name="Inbox Growth").click()
    expect(page).to_have_url(re.compile(r"/services/inbox-growth/$"))
    expect(page.get_by_role("heading", name="Inbox Growth", level=1)).to_be_visible()
    expect(page.locator(".plan-card")).to_have_count(3)
    shoot(page, "service")

    # when: add the monthly plan
    monthly = page.locator(".plan-card", has_text="Monthly")
    monthly.get_by_role("button", name="Add to cart").click()
    # then
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("Added Inbox Growth (Monthly) to your cart.")).to_be_visible()
    expect(page.locator(".due-today")).to_have_text("£149.00")
    expect(page.locator(".then-monthly")).to_have_text("£149.00 / month")

    # when: three of them
    page.get_by_label("Quantity of Inbox Growth (Monthly)").fill("3")
    page.get_by_role("button", name="Update").click()
    # then
    expect(page.get_by_text("Quantity updated.")).to_be_visible()
    expect(page.locator(".line-total")).to_have_text("£447.00")
    expect(page.locator(".then-monthly")).to_have_text("£447.00 / month")
    expect(page.locator(".cart-link .badge")).to_have_text("3")
    shoot(page, "cart")

    # when: remove it
    page.get_by_role("button", name="Remove Inbox Growth (Monthly)").click()
    # then
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    expect(page.locator(".cart-link .badge")).to_have_count(0)
    shoot(page, "cart-empty")


@pytest.mark.django_db(transaction=True)
def test_a_bad_quantity_typed_in_the_browser_is_refused_with_a_message(live_server, page):
    make_catalogue()
    page.goto(live_server.url + "/services/inbox-growth/")
    page.locator(".plan-card", has_text="Single campaign").get_by_role("button", name="Add to cart").click()

    # the browser's own checks are bypassed to reach the server's
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.get_by_label("Quantity of Inbox Growth (Single campaign)").fill("11")
    page.get_by_role("button", name="Update").click()

    expect(page.get_by_text("Choose a quantity from 1 to 10.")).to_be_visible()
    expect(page.get_by_label("Quantity of Inbox Growth (Single campaign)")).to_have_value("1")


@pytest.mark.django_db(transaction=True)
def test_p02_a_customer_reviews_what_they_bought_and_saves_a_search(live_server, page):
    # given: a customer with a paid order for Inbox Growth
    from shop.models import Order
    from tests.accounts.factories import PASSWORD, UserFactory
    from tests.shop.factories import OrderFactory, OrderLineFactory

    make_catalogue()
    customer = UserFactory(email="grace@example.com", full_name="Grace Hopper")
    monthly = Plan.objects.get(service__slug="inbox-growth", name="Monthly")
    OrderLineFactory(order=OrderFactory(user=customer, status=Order.Status.ACTIVE), plan=monthly)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/accounts/login/?next=/services/inbox-growth/")
    page.locator("input[name=login]").fill("grace@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/services/inbox-growth/$"))

    # when: they review it
    page.get_by_label("Your rating").select_option("5")
    page.get_by_label("Title").fill("Worth every penny")
    page.get_by_label("Your review").fill("Two campaigns a month, always on time.")
    shoot(page, "review-form")
    page.get_by_role("button", name="Send review").click()
    # then: it waits for moderation and is not public yet
    expect(page.get_by_text("Thank you for your review.")).to_be_visible()
    expect(page.locator(".review-status")).to_contain_text("awaiting moderation")
    expect(page.locator(".review-list")).not_to_contain_text("Worth every penny")
    shoot(page, "review-pending")

    # when: they save a search
    page.goto(live_server.url + "/services/?q=newsletters&kind=subscription")
    page.get_by_label("Save this search as").fill("Newsletter subscriptions")
    shoot(page, "catalogue-signed-in")
    page.get_by_role("button", name="Save this search").click()
    expect(page.get_by_text("Saved “Newsletter subscriptions”.")).to_be_visible()
    page.goto(live_server.url + "/account/saved-searches/")
    expect(page.get_by_text("Search “newsletters” · Subscriptions")).to_be_visible()
    shoot(page, "saved-searches")
    # then: the link runs it again, and it can be deleted
    page.get_by_role("link", name="Run search").click()
    expect(page.get_by_role("heading", name="1 service for “newsletters”")).to_be_visible()
    page.goto(live_server.url + "/account/saved-searches/")
    page.get_by_role("button", name="Delete the saved search Newsletter subscriptions").click()
    expect(page.get_by_text("You have no saved searches.")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_catalogue_pages_keep_filters_and_bad_filters_are_explained(live_server, page):
    # given: 30 subscriptions
    make_catalogue()
    category = CategoryFactory(name="Content", slug="content")
    for n in range(30):
        service = ServiceFactory(name=f"Content pack {n:02d}", slug=f"content-{n}", category=category)
        PlanFactory(service=service, name="Monthly", billing=Plan.Billing.MONTHLY, price=Decimal(50 + n))
    page.set_viewport_size(DESKTOP)
    # when
    page.goto(live_server.url + "/services/?category=content&sort=price")
    page.get_by_role("link", name="Next →").click()
    # then
    expect(page).to_have_url(re.compile(r"\?category=content&sort=price&page=2$"))
    expect(page.locator(".service-card").first).to_contain_text("Content pack 12")
    shoot(page, "catalogue-page-2")

    # when: hand-edited parameters
    page.goto(live_server.url + "/services/?min_price=abc&kind=free&page=7")
    # then
    expect(page.get_by_role("alert")).to_contain_text("Enter a price in pounds, such as 50 or 49.99.")
    expect(page.get_by_role("alert")).to_contain_text("Choose one-off, subscription, monthly or yearly.")
    expect(page.get_by_text("There is no page 7 for this search")).to_be_visible()
    shoot(page, "catalogue-errors")


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_extra_filters_fold_until_used(live_server, page):
    make_catalogue()
    page.set_viewport_size(MOBILE)

    page.goto(live_server.url + "/services/")
    expect(page.get_by_label("Category")).to_be_hidden()
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Category").select_option("audits")
    page.get_by_role("button", name="Show services").click()

    expect(page.get_by_label("Category")).to_be_visible()  # in use, so kept open
    expect(page.locator(".service-card")).to_have_count(2)
