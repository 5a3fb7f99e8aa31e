"""The demo data of every app behind one ``seed_demo``.

The shop builds the catalogue, the staff account and the demo customers (with their
accounts, orders and privacy history); then each other app adds its own rows for those
people through its own ``demo_seed_*`` builder. Every builder is idempotent, so the whole
seed can run again and change nothing.
"""

import dataclasses

from django.contrib.auth import get_user_model
from django.utils import timezone

from analytics.demo import demo_seed_page_views
from contests.demo import demo_seed_contests
from marketing.demo import demo_seed_marketing_preferences
from marketing.demo_affiliates import demo_seed_affiliates
from marketing.demo_campaigns import demo_seed_campaigns
from shop.demo import DemoSummary, demo_seed_shop
from shop.models import Service


def demo_seed(*, staff_email=None, staff_password=None, customer_password=None, now=None, images=True) -> DemoSummary:
    """Create or complete the demo data of every app; returns what the command prints."""
    now = now or timezone.now()
    summary = demo_seed_shop(
        staff_email=staff_email,
        staff_password=staff_password,
        customer_password=customer_password,
        now=now,
        images=images,
    )
    users = get_user_model()._default_manager
    by_email = {user.email: user for user in users.filter(email__in=summary.customer_emails)}
    customers = [by_email[email] for email in summary.customer_emails if email in by_email]
    staff = users.get(email=summary.staff_email)
    counts = dict(summary.counts)
    counts.update(demo_seed_contests(customers=customers, staff=staff, now=now))
    for customer in customers:
        demo_seed_marketing_preferences(user=customer, now=now)
    demo_seed_affiliates(users=customers)
    demo_seed_campaigns(customers=customers, now=now)
    service_paths = [service.get_absolute_url() for service in Service.objects.active().order_by("pk")[:6]]
    demo_seed_page_views(users=customers, service_paths=service_paths, now=now)
    return dataclasses.replace(summary, counts=counts)
