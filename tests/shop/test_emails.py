"""P16: no email asks for card or bank details, and every email says so in its footer."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from shop.models import Order
from tests.shop.factories import OrderFactory, OrderLineFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

FOOTER = "We will never ask you for your card or bank details by email."
FORBIDDEN_REQUESTS = ["card number", "cvv", "cvc", "bank account", "sort code", "security code", "reply with your"]


def email_templates():
    root = Path(settings.BASE_DIR) / "templates" / "email"
    return sorted(
        str(path.relative_to(root.parent))
        for path in root.rglob("*")
        if path.suffix in (".txt", ".html") and not path.name.endswith("_subject.txt") and path.stem != "base"
    )


@pytest.fixture
def context():
    order = OrderFactory(status=Order.Status.PAID, recipient_name="Alan Turing")
    line = OrderLineFactory(order=order)
    subscription = SubscriptionFactory()
    return {
        "order": order,
        "lines": [line],
        "subscriptions": [subscription],
        "user": subscription.user,
        "link": "https://shop.test/orders/lookup/abc/",
        "max_age_days": 3,
        "SITE_URL": "https://shop.test",
        "COMPANY_NAME": "Kinetogram Marketing",
        "COMPANY_EMAIL": "hello@kinetogram.test",
        "COMPANY_PHONE": "415-723-2867",
    }


def test_there_are_shop_email_templates():
    assert {"email/shop/order_confirmation.txt", "email/shop/payment_failed.html"} <= set(email_templates())


@pytest.mark.parametrize("template", email_templates())
def test_p16_every_email_carries_the_footer_and_asks_for_no_card_or_bank_details(template, context):
    rendered = render_to_string(template, context)
    text = " ".join(rendered.replace("<strong>", "").replace("</strong>", "").split())

    assert FOOTER in text
    lowered = text.lower()
    assert [phrase for phrase in FORBIDDEN_REQUESTS if phrase in lowered] == []


def test_order_confirmation_lists_lines_and_total(context, mailoutbox):
    from accounts.mail import send_templated_email

    send_templated_email(to=["a@example.com"], template="shop/order_confirmation", context=context)

    message = mailoutbox[0]
    assert message.subject == f"Your Kinetogram order {context['order'].number} is confirmed"
    assert context["lines"][0].service_name in message.body
    assert "Total paid: 100.00 GBP" in message.body
    assert "Bought for: Alan Turing" in message.body
    assert message.alternatives[0][1] == "text/html"
