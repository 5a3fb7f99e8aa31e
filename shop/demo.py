"""Demo data for the embedded run (`manage.py seed_demo`): a catalogue, a member of staff
and customers with orders, subscriptions, reviews, saved searches, a consultation request
and a cart, spread over the last eighteen months.

Idempotent: catalogue rows are matched on their slugs, people on their emails, orders on
numbers derived from the customer and the order's place in the script, invoices on their
ids. A second run finds everything and creates nothing; an order found is left as it is,
so its timeline and dates do not move.
"""

import colorsys
import hashlib
import io
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.consents import OPT_IN_WORDING, WITHDRAW_WORDING
from accounts.demo import DEMO_STAFF_TOTP_SECRET, demo_seed_sign_in_records, demo_seed_two_factor
from accounts.models import Address, Profile, User
from billing import vat
from billing.demo import DEMO_PURCHASE_ORDERS, demo_order_vat, demo_seed_billing
from privacy.demo import demo_seed_exports, demo_seed_privacy, demo_seed_requests
from privacy.registry import site as personal_data_site
from shop.demo_promotions import demo_seed_promotions
from shop.models import (
    ORDER_NUMBER_ALPHABET,
    Cart,
    CartLine,
    Category,
    ConsultationRequest,
    Invoice,
    Order,
    OrderEvent,
    OrderLine,
    Plan,
    Review,
    SavedSearch,
    Service,
    Subscription,
)

DEFAULT_STAFF_EMAIL = "staff@kinetogram.example"
#: Under a processing restriction in the privacy demo data, with a saved search held past retention.
HELD_SEARCH_CUSTOMER = "chloe@example.com"
#: This demo customer signs in with two-factor (see accounts/demo.py for the secret).
TWO_FACTOR_CUSTOMER = "farah@example.com"
DEFAULT_CUSTOMER_PASSWORD = "Kinetogram-demo-2026"  # noqa: S105 (public demo password, printed on purpose)

M, Y, ONE = Plan.Billing.MONTHLY, Plan.Billing.YEARLY, Plan.Billing.ONE_OFF

CATEGORIES = [
    (
        "social-media",
        "Social media",
        "Content calendars, community management and growth on the networks your customers use.",
    ),
    ("email-marketing", "Email marketing", "Newsletters, automations and deliverability: the channel you own."),
    ("audits-strategy", "Audits & strategy", "An honest look at what works, and a plan for what to do next."),
    ("content-ads", "Content & ads", "Articles, video and paid campaigns that bring the right people to you."),
]

# (category, slug, name, summary, description paragraphs, [(plan name, billing, price, stock, features)], active, image)
SERVICES = [
    (
        "social-media",
        "social-media-management",
        "Social media management",
        "We plan, write and publish your posts on up to three networks, and answer comments every working day.",
        [
            "Consistency is what grows an audience, and it is the first thing to slip when you are busy running a "
            "business. We take the whole job off your hands: a monthly content calendar you approve in one sitting, "
            "posts written and designed in your brand's voice, and publication at the times your audience is online.",
            "Every working day a community manager answers comments and messages, and flags anything that needs you. "
            "At the end of the month you get a one-page report: what was published, what worked, and what we will "
            "change next month.",
            "Plans run month to month; cancel whenever you like. The yearly plan costs ten months and includes a "
            "half-day strategy session.",
        ],
        [
            (
                "Starter",
                M,
                "290.00",
                None,
                "Two networks\n12 posts a month\nComments answered on working days\nMonthly report",
            ),
            (
                "Growth",
                M,
                "590.00",
                None,
                "Three networks\n24 posts and 8 stories a month\nCommunity management\nMonthly call",
            ),
            ("Growth, yearly", Y, "5900.00", None, "Everything in Growth\nTwo months free\nHalf-day strategy session"),
        ],
        True,
        True,
    ),
    (
        "social-media",
        "instagram-growth-sprint",
        "Instagram growth sprint",
        "Six weeks of focused work on your Instagram profile, formats and reach, with a playbook to keep going.",
        [
            "A sprint for businesses whose Instagram has stalled. In week one we audit your profile, your last ninety "
            "posts and three competitors. Then we test new formats (reels, carousels, collaborations) for four weeks "
            "and measure what moves reach and profile visits.",
            "You finish with a written playbook: the formats, hooks and posting rhythm that worked for your audience, "
            "and twelve ready-to-post templates. We run a limited number of sprints each quarter so every client gets "
            "a senior strategist.",
        ],
        [
            (
                "Six-week sprint",
                ONE,
                "750.00",
                6,
                "Profile and content audit\n4 weeks of format tests\nPlaybook and 12 templates",
            )
        ],
        True,
        True,
    ),
    (
        "social-media",
        "linkedin-thought-leadership",
        "LinkedIn thought leadership",
        "Ghost-written LinkedIn posts for founders and senior people, based on a monthly interview.",
        [
            "Your expertise is your best marketing, but writing about it every week is hard. Once a month we interview "
            "you for forty-five minutes; from that conversation we write eight posts in your voice, which you approve "
            "before they go out.",
            "We also engage with your network on your behalf for fifteen minutes a day, so the posts reach the people "
            "you want to be known by.",
        ],
        [
            ("Monthly", M, "450.00", None, "Monthly interview\n8 posts a month\nDaily engagement"),
            ("Yearly", Y, "4500.00", None, "Everything in Monthly\nTwo months free"),
        ],
        True,
        False,
    ),
    (
        "social-media",
        "social-starter-kit",
        "Social media starter kit",
        "Profiles set up properly on the right networks, with branded templates and a first month of posts.",
        [
            "For new businesses and rebrands. We choose the two or three networks that suit your customers, set up or "
            "tidy your profiles (bios, links, highlights, banners) and design a set of branded post templates you can "
            "reuse in Canva.",
            "We hand over with a first month of posts ready to publish and a one-hour training session for whoever "
            "will run the accounts afterwards.",
        ],
        [
            (
                "Starter kit",
                ONE,
                "350.00",
                None,
                "Profile set-up on up to 3 networks\n10 branded templates\n1 month of posts\n1-hour training",
            )
        ],
        True,
        False,
    ),
    (
        "email-marketing",
        "newsletter-as-a-service",
        "Newsletter as a service",
        "A well-written newsletter to your list every fortnight or every week, from idea to send and report.",
        [
            "A newsletter keeps you in your customers' inbox without paying for every click. We propose the topics, "
            "write and design each issue, test it on the main email clients and send it from your own platform.",
            "After each send you get the open, click and unsubscribe figures, with a short note on what we learned. "
            "We work with Mailchimp, Brevo, Klaviyo and most other platforms.",
        ],
        [
            ("Fortnightly", M, "240.00", None, "2 issues a month\nCopy and design\nSend and report"),
            ("Weekly", M, "420.00", None, "4 issues a month\nCopy and design\nSend and report"),
            ("Fortnightly, yearly", Y, "2400.00", None, "2 issues a month\nTwo months free"),
        ],
        True,
        True,
    ),
    (
        "email-marketing",
        "email-automation-setup",
        "Email automation setup",
        "Welcome, nurture and win-back sequences that work while you sleep, built and tested in your platform.",
        [
            "Most of the revenue from email comes from automated sequences, not campaigns. We map your customer "
            "journey and build three sequences: a welcome series for new subscribers, a nurture series for leads who "
            "have not bought yet, and a win-back series for customers who have gone quiet.",
            "Each sequence is written, designed, tested and switched on in your platform, with tracking so you can see "
            "what each one earns.",
        ],
        [
            (
                "Three sequences",
                ONE,
                "1200.00",
                None,
                "Journey mapping\n3 sequences, up to 12 emails\nSet-up and testing",
            )
        ],
        True,
        False,
    ),
    (
        "email-marketing",
        "deliverability-check",
        "Email deliverability check",
        "Find out why your emails land in spam, and fix it: authentication, list hygiene and content.",
        [
            "If your open rates have dropped suddenly, your emails are probably not arriving. We check your SPF, DKIM "
            "and DMARC records, your sending reputation, your list's health and the content of recent campaigns.",
            "You get a plain-English report with every fix in order of impact, and we make the DNS changes with you on "
            "a call.",
        ],
        [
            (
                "Check and fixes",
                ONE,
                "290.00",
                None,
                "Authentication check\nReputation and list review\nReport and fix call",
            )
        ],
        True,
        False,
    ),
    (
        "email-marketing",
        "abandoned-cart-flows",
        "Abandoned cart flows",
        "Recover lost sales with a tested abandoned-cart and browse-abandonment sequence for your online shop.",
        [
            "Around seven in ten online carts are abandoned. A short, well-timed sequence brings a share of those "
            "shoppers back. We write and design a three-email abandoned-cart flow and a browse-abandonment flow, "
            "connected to your shop platform.",
            "Add monthly optimisation and we A/B test subject lines, timing and offers every month.",
        ],
        [
            ("Set-up", ONE, "650.00", None, "2 flows, 5 emails\nShop integration\nTesting"),
            ("Monthly optimisation", M, "150.00", None, "Monthly A/B test\nPerformance report"),
        ],
        True,
        False,
    ),
    (
        "audits-strategy",
        "marketing-audit",
        "Marketing audit",
        "A senior strategist reviews your whole marketing and tells you what to stop, start and keep doing.",
        [
            "Before spending more on marketing, find out what is already working. We look at your website, social "
            "accounts, email, advertising and analytics, and talk to you and two of your customers.",
            "Two weeks later you get a written audit and a ninety-minute presentation: what to stop, what to start, "
            "what to keep, and a ninety-day plan. We take on four audits a month.",
        ],
        [("Full audit", ONE, "490.00", 4, "All channels reviewed\n2 customer interviews\nWritten audit\n90-day plan")],
        True,
        True,
    ),
    (
        "audits-strategy",
        "seo-audit",
        "SEO audit",
        "A technical and content audit of your website, with a prioritised list of fixes.",
        [
            "We crawl your site, check its speed, structure and indexing, and compare your content with the pages that "
            "rank for the searches your customers make.",
            "You get a prioritised list of fixes, from quick technical wins to the content worth writing, and a "
            "one-hour call with your web developer if you have one.",
        ],
        [
            (
                "SEO audit",
                ONE,
                "590.00",
                None,
                "Technical crawl\nContent gap analysis\nPrioritised fixes\nDeveloper call",
            )
        ],
        True,
        False,
    ),
    (
        "audits-strategy",
        "strategy-workshop",
        "Strategy workshop",
        "A half-day workshop with your team to agree on audiences, messages and priorities for the next quarter.",
        [
            "A structured half day, in person in London or online, for up to six people from your team. We agree on "
            "who your best customers are, what you say to them and which three marketing priorities matter most this "
            "quarter.",
            "You leave with a one-page strategy and a plan everyone has agreed to. The yearly plan gives you a "
            "workshop every quarter to review and adjust.",
        ],
        [
            ("Single workshop", ONE, "900.00", 8, "Half day, up to 6 people\nOne-page strategy"),
            ("Quarterly, yearly", Y, "3200.00", None, "4 workshops a year\nQuarterly review"),
        ],
        True,
        False,
    ),
    (
        "audits-strategy",
        "fractional-cmo",
        "Fractional marketing director",
        "A senior marketing director two days a month: strategy, budgets and managing your suppliers.",
        [
            "Growing businesses need senior marketing judgement long before they can hire a full-time marketing "
            "director. Ours joins your leadership meetings, owns the marketing plan and budget, and manages your "
            "agencies and freelancers.",
            "Two days a month, plus email and phone in between. Most clients stay for a year; you can stop at the end "
            "of any month.",
        ],
        [
            ("Monthly", M, "1900.00", None, "2 days a month\nPlan and budget\nSupplier management"),
            ("Yearly", Y, "19000.00", None, "Everything in Monthly\nTwo months free"),
        ],
        True,
        False,
    ),
    (
        "content-ads",
        "blog-content-subscription",
        "Blog content subscription",
        "Four researched, search-friendly articles a month, written by specialists in your sector.",
        [
            "Useful articles bring visitors from search for years. Every month we propose topics based on what your "
            "customers search for, then write four articles of around 1,200 words, with images and internal links.",
            "Each article is edited, checked for accuracy and delivered ready to publish, or published for you on "
            "WordPress, Webflow or Shopify.",
        ],
        [
            ("Monthly", M, "480.00", None, "4 articles a month\nTopic research\nImages and links"),
            ("Yearly", Y, "4800.00", None, "4 articles a month\nTwo months free"),
        ],
        True,
        True,
    ),
    (
        "content-ads",
        "google-ads-management",
        "Google Ads management",
        "Search and Performance Max campaigns set up, managed and reported on, with no minimum term.",
        [
            "We set up your account properly (conversion tracking, structure, negative keywords) and then manage it "
            "every week: bids, budgets, ads and landing pages.",
            "You see exactly where your money goes in a monthly report. Our fee does not depend on your ad spend, so "
            "we have no reason to make you spend more.",
        ],
        [
            ("Account set-up", ONE, "400.00", None, "Tracking and structure\nFirst campaigns"),
            ("Management, monthly", M, "350.00", None, "Weekly optimisation\nMonthly report"),
            ("Management, yearly", Y, "3500.00", None, "Weekly optimisation\nTwo months free"),
        ],
        True,
        False,
    ),
    (
        "content-ads",
        "meta-ads-campaign",
        "Meta ads campaign",
        "A four-week Facebook and Instagram campaign, from audience and creative to results.",
        [
            "A complete campaign for a launch, an event or a seasonal offer. We define the audiences, write and "
            "design the ads in three variations, and run and optimise the campaign for four weeks.",
            "The fee covers our work; the ad budget is paid by you directly to Meta, so you keep full control of it.",
        ],
        [
            (
                "Four-week campaign",
                ONE,
                "800.00",
                None,
                "Audiences and creative\n3 ad variations\n4 weeks of optimisation",
            )
        ],
        True,
        True,
    ),
    (
        "content-ads",
        "short-video-pack",
        "Short video pack",
        "Eight short vertical videos for reels, shorts and stories, scripted and edited from your own footage.",
        [
            "Short video is the format the networks show most, and it does not need a film crew. We script eight "
            "videos, send you a simple shot list to film on your phone, and edit the footage with captions, music "
            "and your branding.",
            "Delivered in the sizes each network wants, ready to post.",
        ],
        [("Eight videos", ONE, "600.00", None, "8 scripts\nShot list\nEditing and captions")],
        True,
        False,
    ),
    (
        "content-ads",
        "print-flyer-design",
        "Print flyer design",
        "Design of a double-sided A5 flyer. No longer offered: we now focus on digital channels.",
        [
            "We designed print flyers for local businesses until 2025.",
            "This service is no longer sold; existing customers can still download their files.",
        ],
        [("A5 flyer", ONE, "180.00", None, "Double-sided A5 design\nPrint-ready files")],
        False,
        False,
    ),
]

CUSTOMERS = [
    # email, full name, phone, company, city, country, address line, postcode, joined days ago
    (
        "amelia@example.com",
        "Amelia Hart",
        "+44 117 496 0123",
        "Hart & Co Bakery",
        "Bristol",
        "GB",
        "14 Park Row",
        "BS1 5LJ",
        540,
    ),
    (
        "ben@example.com",
        "Ben Okafor",
        "+44 161 496 0456",
        "Okafor Physiotherapy",
        "Manchester",
        "GB",
        "3 King Street",
        "M2 4LQ",
        470,
    ),
    (
        "chloe@example.com",
        "Chloé Martin",
        "+33 4 72 00 12 34",
        "Atelier Martin",
        "Lyon",
        "FR",
        "8 rue Mercière",
        "69002",
        400,
    ),
    (
        "daniel@example.com",
        "Daniel Novak",
        "+44 113 496 0789",
        "Novak Cycles",
        "Leeds",
        "GB",
        "22 Call Lane",
        "LS1 7BT",
        330,
    ),
    (
        "erin@example.com",
        "Erin Walsh",
        "+353 1 555 0142",
        "Walsh Legal",
        "Dublin",
        "IE",
        "5 Dawson Street",
        "D02 RX35",
        260,
    ),
    (
        "farah@example.com",
        "Farah Siddiqui",
        "+44 20 7946 0321",
        "Bloom Yoga Studio",
        "London",
        "GB",
        "41 Exmouth Market",
        "EC1R 4QL",
        200,
    ),
]

# Per customer: (days ago, final status, [(service slug, plan name, quantity)], subscription status or None)
ORDERS = {
    "amelia@example.com": [
        (520, Order.Status.DELIVERED, [("marketing-audit", "Full audit", 1)], None),
        (430, Order.Status.ACTIVE, [("social-media-management", "Growth", 1)], Subscription.Status.ACTIVE),
        (40, Order.Status.IN_PROGRESS, [("instagram-growth-sprint", "Six-week sprint", 1)], None),
    ],
    "ben@example.com": [
        (450, Order.Status.DELIVERED, [("social-starter-kit", "Starter kit", 1), ("seo-audit", "SEO audit", 1)], None),
        (400, Order.Status.ACTIVE, [("blog-content-subscription", "Yearly", 1)], Subscription.Status.ACTIVE),
        (12, Order.Status.PENDING, [("meta-ads-campaign", "Four-week campaign", 1)], None),
    ],
    "chloe@example.com": [
        (380, Order.Status.REFUNDED, [("short-video-pack", "Eight videos", 1)], None),
        (300, Order.Status.DELIVERED, [("email-automation-setup", "Three sequences", 1)], None),
        (150, Order.Status.ACTIVE, [("newsletter-as-a-service", "Fortnightly", 1)], Subscription.Status.PAST_DUE),
    ],
    "daniel@example.com": [
        (310, Order.Status.CANCELLED, [("google-ads-management", "Account set-up", 1)], None),
        (250, Order.Status.DELIVERED, [("deliverability-check", "Check and fixes", 1)], None),
        (9, Order.Status.PAID, [("strategy-workshop", "Single workshop", 2)], None),
        (380, Order.Status.ACTIVE, [("blog-content-subscription", "Yearly", 1)], Subscription.Status.ACTIVE),
    ],
    "erin@example.com": [
        (240, Order.Status.DELIVERED, [("strategy-workshop", "Single workshop", 1)], None),
        (120, Order.Status.ACTIVE, [("linkedin-thought-leadership", "Monthly", 1)], Subscription.Status.ACTIVE),
    ],
    "farah@example.com": [
        (180, Order.Status.DELIVERED, [("social-starter-kit", "Starter kit", 1)], None),
        (65, Order.Status.IN_PROGRESS, [("abandoned-cart-flows", "Set-up", 1)], None),
        (3, Order.Status.PENDING, [("marketing-audit", "Full audit", 1)], None),
        (60, Order.Status.ACTIVE, [("linkedin-thought-leadership", "Monthly", 1)], Subscription.Status.ACTIVE),
    ],
}

# The steps an order went through to reach each status, with the note shown on its timeline.
TIMELINES = {
    Order.Status.PENDING: [(Order.Status.PENDING, "Order placed, awaiting payment")],
    Order.Status.PAID: [(Order.Status.PENDING, "Order placed"), (Order.Status.PAID, "Payment received")],
    Order.Status.IN_PROGRESS: [
        (Order.Status.PENDING, "Order placed"),
        (Order.Status.PAID, "Payment received"),
        (Order.Status.IN_PROGRESS, "Kick-off call held; work started"),
    ],
    Order.Status.DELIVERED: [
        (Order.Status.PENDING, "Order placed"),
        (Order.Status.PAID, "Payment received"),
        (Order.Status.IN_PROGRESS, "Kick-off call held; work started"),
        (Order.Status.DELIVERED, "Delivered and signed off"),
    ],
    Order.Status.ACTIVE: [
        (Order.Status.PENDING, "Order placed"),
        (Order.Status.PAID, "First payment received"),
        (Order.Status.ACTIVE, "Subscription started"),
    ],
    Order.Status.CANCELLED: [
        (Order.Status.PENDING, "Order placed"),
        (Order.Status.CANCELLED, "Cancelled before payment at the customer's request"),
    ],
    Order.Status.REFUNDED: [
        (Order.Status.PENDING, "Order placed"),
        (Order.Status.PAID, "Payment received"),
        (Order.Status.IN_PROGRESS, "Work started"),
        (Order.Status.REFUNDED, "Refunded in full: the project was postponed"),
    ],
}

# (email, service slug, rating, title, body, published)
REVIEWS = [
    (
        "amelia@example.com",
        "marketing-audit",
        5,
        "Clear and honest",
        "The audit told us to stop two things we were paying for and gave us a plan we could follow. Worth it.",
        True,
    ),
    (
        "amelia@example.com",
        "social-media-management",
        4,
        "Our feed finally looks alive",
        "Posts go out on time and comments get answered. Reports could be a little shorter.",
        True,
    ),
    (
        "ben@example.com",
        "seo-audit",
        5,
        "Practical fixes",
        "Our developer fixed the top ten items in a week and search traffic is up a third.",
        True,
    ),
    ("ben@example.com", "social-starter-kit", 4, "Good start", "Nice templates and a useful training session.", False),
    (
        "chloe@example.com",
        "email-automation-setup",
        5,
        "The welcome series pays for itself",
        "Set up in two weeks, clearly explained, and the welcome emails sell more than our campaigns.",
        True,
    ),
    (
        "daniel@example.com",
        "deliverability-check",
        5,
        "Out of the spam folder",
        "Our DNS was wrong in three places. Fixed on one call; open rates doubled.",
        True,
    ),
    (
        "erin@example.com",
        "strategy-workshop",
        4,
        "A useful morning",
        "The team left agreeing on priorities for the first time in a year.",
        False,
    ),
    (
        "farah@example.com",
        "social-starter-kit",
        5,
        "Lovely templates",
        "Our studio's profiles look professional now, and I can make posts myself in minutes.",
        True,
    ),
]

SAVED_SEARCHES = [
    ("amelia@example.com", "Monthly social plans", "q=social&kind=month"),
    ("ben@example.com", "Content subscriptions", "category=content-ads&kind=month"),
    ("chloe@example.com", "Email one-offs", "category=email-marketing&kind=one_off"),
    ("daniel@example.com", "Audits under £600", "category=audits-strategy&max_price=600"),
    ("erin@example.com", "LinkedIn", "q=linkedin"),
    ("farah@example.com", "Instagram", "q=instagram"),
]

CARTS = [
    ("amelia@example.com", "newsletter-as-a-service", "Fortnightly", 1),
    ("erin@example.com", "seo-audit", "SEO audit", 1),
    ("ben@example.com", "marketing-audit", "Full audit", 1),
    ("chloe@example.com", "social-starter-kit", "Starter kit", 1),
    ("daniel@example.com", "seo-audit", "SEO audit", 1),
    ("farah@example.com", "newsletter-as-a-service", "Fortnightly", 1),
]

CONSULTATIONS = [
    # email, name, phone, company, message, status, days ago, linked to the customer of that email
    (
        "daniel@example.com",
        "Daniel Novak",
        "+44 113 496 0789",
        "Novak Cycles",
        "We are opening a second shop in York next spring and would like to talk about a local launch campaign "
        "across social media and email.",
        ConsultationRequest.Status.CONTACTED,
        20,
        True,
    ),
    (
        "amelia@example.com",
        "Amelia Hart",
        "+44 117 496 0123",
        "Hart & Co Bakery",
        "Could you help us plan a Christmas campaign for the bakery's new range of hampers?",
        ConsultationRequest.Status.CLOSED,
        200,
        True,
    ),
    (
        "ben@example.com",
        "Ben Okafor",
        "",
        "",
        "I would like advice on whether a yearly blog plan or a monthly one suits a small consultancy.",
        ConsultationRequest.Status.CLOSED,
        410,
        True,
    ),
    (
        "chloe@example.com",
        "Chloé Martin",
        "",
        "",
        "Our newsletter open rate has dropped by half since spring. Can we talk about what changed?",
        ConsultationRequest.Status.CONTACTED,
        35,
        True,
    ),
    (
        "erin@example.com",
        "Erin Walsh",
        "",
        "",
        "We want to hire a content writer in-house next year: which of your plans would still help?",
        ConsultationRequest.Status.NEW,
        6,
        True,
    ),
    (
        "farah@example.com",
        "Farah Siddiqui",
        "",
        "",
        "Is an Instagram growth sprint worth it for a studio that only takes bookings by phone?",
        ConsultationRequest.Status.CONTACTED,
        70,
        True,
    ),
    (
        "oliver.grant@example.org",
        "Oliver Grant",
        "",
        "Grant & Daughters Joinery",
        "We have never done any marketing beyond word of mouth. Where should a small joinery business start?",
        ConsultationRequest.Status.NEW,
        2,
        False,
    ),
]


@dataclass
class DemoSummary:
    """What seed_demo did, for the command to print."""

    staff_email: str
    staff_password: str | None  # set only when the password was created or reset in this run
    staff_created: bool
    customer_emails: list[str]
    customer_password: str
    customers_created: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    two_factor_customer: str = ""
    recovery_codes: list[str] = field(default_factory=list)  # only when two-factor was just turned on


def strong_password():
    """A random password that passes the shop's password rules (letters and digits, long)."""
    while True:
        candidate = secrets.token_urlsafe(15)
        if any(c.isalpha() for c in candidate) and sum(c.isdigit() for c in candidate) >= 2:
            return candidate


@transaction.atomic
def demo_seed_shop(*, staff_email=None, staff_password=None, customer_password=None, now=None, images=True):
    """Create or complete the shop's demo data (and the accounts and privacy history of its
    customers); running it again creates and changes nothing. kinetogram.demo.demo_seed runs
    it first, then the other apps' builders.

    Writes: categories, services, plans (matched on slugs and plan names), one staff
    superuser, demo customers with verified emails, profiles, addresses, orders with lines
    and timelines, subscriptions with invoices, reviews, saved searches, consultation
    requests and carts. `staff_password` and `customer_password` reset existing accounts'
    passwords when given. With `images`, draws a picture for a few services into the
    default storage. Returns a DemoSummary.
    """
    now = now or timezone.now()
    plans = _seed_catalogue(images=images)
    staff_email = (staff_email or DEFAULT_STAFF_EMAIL).lower()
    staff, staff_created, shown_password = _seed_staff(email=staff_email, password=staff_password, now=now)
    # AU-07: the admin asks staff for a second factor; the demo staff account has one.
    demo_seed_two_factor(user=staff, secret=DEMO_STAFF_TOTP_SECRET)
    customers, created = _seed_customers(password=customer_password, now=now)
    for email, specs in ORDERS.items():
        for index, spec in enumerate(specs):
            _seed_order(customers[email], index, spec, plans, now)
    demo_seed_promotions(customers=list(customers.values()), now=now)
    demo_seed_billing(orders=list(Order.objects.filter(user__in=customers.values())), now=now)
    _seed_reviews(customers, staff, now)
    _seed_saved_searches(customers, now)
    _seed_consultations(customers, now)
    _seed_carts(customers, plans)
    _seed_admin_log(customers, staff, now)
    recovery_codes = []
    for position, (email, user) in enumerate(customers.items()):
        demo_seed_sign_in_records(user=user, position=position, now=now)
        if email == TWO_FACTOR_CUSTOMER:
            recovery_codes = demo_seed_two_factor(user=user)
    demo_seed_privacy(
        customers=list(customers.values()),
        staff=staff,
        now=now,
        opt_in_wording=OPT_IN_WORDING,
        withdraw_wording=WITHDRAW_WORDING,
        restricted=customers[HELD_SEARCH_CUSTOMER],
    )
    demo_seed_exports(customers=list(customers.values()), now=now)
    demo_seed_requests(customers=list(customers.values()), staff=staff, now=now)
    return DemoSummary(
        staff_email=staff.email,
        staff_password=shown_password,
        staff_created=staff_created,
        customer_emails=[c[0] for c in CUSTOMERS],
        customer_password=customer_password or DEFAULT_CUSTOMER_PASSWORD,
        customers_created=created,
        counts=demo_counts(),
        two_factor_customer=TWO_FACTOR_CUSTOMER,
        recovery_codes=recovery_codes,
    )


def demo_counts():
    """Rows per model the demo fills, to show after seeding (and to compare two runs)."""
    models = [
        Category,
        Service,
        Plan,
        User,
        EmailAddress,
        Profile,
        Address,
        Order,
        OrderLine,
        OrderEvent,
        Subscription,
        Invoice,
        Review,
        SavedSearch,
        ConsultationRequest,
        Cart,
        CartLine,
        LogEntry,
        *(d.model for d in personal_data_site.declarations() if d.model._meta.app_label != "shop"),
    ]
    unique = list(dict.fromkeys(models))
    return {str(model._meta.verbose_name_plural): model._default_manager.count() for model in unique}


# --- catalogue -----------------------------------------------------------------------
def _seed_catalogue(*, images):
    categories = {}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position, "is_active": True}
        )
    plans = {}
    for category, slug, name, summary, paragraphs, plan_specs, active, with_image in SERVICES:
        service, _ = Service.objects.update_or_create(
            slug=slug,
            defaults={
                "category": categories[category],
                "name": name,
                "summary": summary,
                "description": "\n\n".join(paragraphs),
                "is_active": active,
            },
        )
        for position, (plan_name, billing, price, stock, features) in enumerate(plan_specs):
            plans[(slug, plan_name)], _ = Plan.objects.update_or_create(
                service=service,
                name=plan_name,
                defaults={
                    "billing": billing,
                    "price": Decimal(price),
                    "stock": stock,
                    "features": features,
                    "position": position,
                    "is_active": True,
                },
            )
        if images and with_image and not service.image:
            service.image.save(f"{slug}.png", ContentFile(_service_picture(slug)), save=True)
    return plans


def _service_picture(seed, size=(960, 420)):
    """An abstract picture (a gradient and soft circles) in the shop's colours, as PNG bytes."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)  # the same service always gets the same picture
    hue = rng.choice([0.68, 0.72, 0.76, 0.80, 0.60])
    start = tuple(int(c * 255) for c in colorsys.hls_to_rgb(hue, 0.32, 0.65))
    end = tuple(int(c * 255) for c in colorsys.hls_to_rgb((hue + 0.08) % 1, 0.58, 0.75))
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(width):
        t = x / (width - 1)
        draw.line([(x, 0), (x, height)], fill=tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True)))
    glow = Image.new("RGBA", size, (0, 0, 0, 0))
    glow_draw = ImageDraw.Draw(glow)
    for _ in range(7):
        radius = rng.randint(50, 190)
        cx, cy = rng.randint(0, width), rng.randint(0, height)
        glow_draw.ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius], fill=(255, 255, 255, rng.randint(25, 70))
        )
    image = Image.alpha_composite(image.convert("RGBA"), glow.filter(ImageFilter.GaussianBlur(8))).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- people ----------------------------------------------------------------------------
def _verified_email(user):
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def _seed_staff(*, email, password, now):
    staff = User.objects.filter(email__iexact=email).first()
    created = staff is None
    shown = None
    if created:
        shown = password or strong_password()
        staff = User.objects.create_superuser(email, shown, full_name="Sam Taylor", date_joined=now)
    else:
        if not (staff.is_staff and staff.is_superuser and staff.is_active):
            staff.is_staff = staff.is_superuser = staff.is_active = True
            staff.save(update_fields=["is_staff", "is_superuser", "is_active"])
        if password:
            staff.set_password(password)
            staff.save(update_fields=["password"])
            shown = password
    _verified_email(staff)
    return staff, created, shown


def _seed_customers(*, password, now):
    customers = {}
    created_count = 0
    for email, name, phone, company, city, country, line1, postcode, joined_days in CUSTOMERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                password or DEFAULT_CUSTOMER_PASSWORD,
                full_name=name,
                date_joined=now - timedelta(days=joined_days),
                age_confirmed_at=now - timedelta(days=joined_days),
            )
            created_count += 1
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        _verified_email(user)
        Profile.objects.update_or_create(
            user=user, defaults={"phone": phone, "company": company, "city": city, "country": country}
        )
        for kind, address_line in [(Address.Kind.BILLING, line1), (Address.Kind.DELIVERY, f"Unit 2, {line1}")]:
            Address.objects.update_or_create(
                user=user,
                kind=kind,
                is_default=True,
                defaults={
                    "full_name": name,
                    "company": company,
                    "line1": address_line,
                    "city": city,
                    "postcode": postcode,
                    "country": country,
                },
            )
        customers[email] = user
    return customers, created_count


# --- orders ------------------------------------------------------------------------------
def _demo_id(*parts, length=12):
    """A stable id from the alphabet of order numbers, so a second run finds the same rows."""
    digest = hashlib.sha256(":".join(str(p) for p in ("kinetogram-demo", *parts)).encode()).digest()
    return "".join(ORDER_NUMBER_ALPHABET[b % len(ORDER_NUMBER_ALPHABET)] for b in digest[:length])


def _seed_order(user, index, spec, plans, now):
    days_ago, status, items, subscription_status = spec
    number = "KG-" + _demo_id(user.email, "order", index)
    if Order.objects.filter(number=number).exists():
        return
    placed = (now - timedelta(days=days_ago)).replace(hour=10, minute=15, second=0, microsecond=0)
    billing = Address.objects.get(user=user, kind=Address.Kind.BILLING, is_default=True)
    lines = []
    for slug, plan_name, quantity in items:
        plan = plans[(slug, plan_name)]
        lines.append((plan, quantity, plan.price * quantity))
    is_subscription = any(plan.is_recurring for plan, _, _ in lines)
    steps = TIMELINES[status]
    paid = any(step == Order.Status.PAID for step, _ in steps)
    vat_number, figures = demo_order_vat(
        email=user.email, country=billing.country, nets=[total for _, _, total in lines], day=placed.date()
    )
    order = Order.objects.create(
        number=number,
        user=user,
        email=user.email,
        status=status,
        mode=Order.Mode.SUBSCRIPTION if is_subscription else Order.Mode.PAYMENT,
        total=figures.gross,
        net_total=figures.net,
        vat_total=figures.vat,
        vat_rate=figures.rate,
        vat_treatment=figures.treatment,
        vat_number=vat_number,
        purchase_order=DEMO_PURCHASE_ORDERS.get(user.email, ""),
        billing_name=billing.full_name,
        billing_company=billing.company,
        billing_line1=billing.line1,
        billing_city=billing.city,
        billing_postcode=billing.postcode,
        billing_country=billing.country,
        card_brand="visa" if paid else "",
        card_last4="4242" if paid else "",
        created_at=placed,
        paid_at=placed + timedelta(minutes=3) if paid else None,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            plan=plan,
            service_name=plan.service.name,
            plan_name=plan.name,
            billing=plan.billing,
            unit_price=plan.price,
            quantity=quantity,
            line_total=total,
        )
        for plan, quantity, total in lines
    )
    # Steps after payment are spread over the days since the order, never into the future.
    offsets = [timedelta(0), timedelta(minutes=3)] + [
        timedelta(days=max(1, days_ago * (i + 1) // (len(steps) + 1))) for i in range(len(steps) - 2)
    ]
    OrderEvent.objects.bulk_create(
        OrderEvent(order=order, status=step, note=note, created_at=min(placed + offset, now))
        for (step, note), offset in zip(steps, offsets, strict=False)
    )
    if subscription_status:
        for plan, quantity, _ in lines:
            if plan.is_recurring:
                _seed_subscription(order, plan, quantity, subscription_status, placed, now)


def _seed_subscription(order, plan, quantity, status, started, now):
    step = relativedelta(months=1) if plan.billing == Plan.Billing.MONTHLY else relativedelta(years=1)
    periods = [started]
    while periods[-1] + step <= now:
        periods.append(periods[-1] + step)
    current_start = periods[-1]
    subscription = Subscription.objects.create(
        user=order.user,
        order=order,
        plan=plan,
        service_name=plan.service.name,
        plan_name=plan.name,
        billing=plan.billing,
        unit_price=plan.price,
        quantity=quantity,
        status=status,
        stripe_subscription_id="sub_demo_" + _demo_id(order.number, plan.pk),
        current_period_end=current_start + step,
    )
    Subscription.objects.filter(pk=subscription.pk).update(created_at=started)
    # The two latest periods: both paid for an active subscription; for one past due the
    # renewal failed and Stripe is retrying it.
    recent = periods[-2:]
    for position, period_start in enumerate(recent):
        is_latest = position == len(recent) - 1
        failed = status == Subscription.Status.PAST_DUE and is_latest
        invoice_id = _demo_id(order.number, plan.pk, period_start.date(), length=14)
        Invoice.objects.create(
            subscription=subscription,
            stripe_invoice_id="in_demo_" + invoice_id,
            number="KG-INV-" + invoice_id[:8],
            amount=plan.price * quantity + vat.vat_for(plan.price * quantity, rate=order.vat_rate),
            currency=order.currency,
            status=Invoice.Status.FAILED if failed else Invoice.Status.PAID,
            period_start=period_start,
            period_end=period_start + step,
            created_at=period_start,
        )


# --- reviews, searches, requests, carts ----------------------------------------------------
def _bought_services(user):
    return set(
        OrderLine.objects.filter(order__user=user)
        .exclude(order__status__in=[Order.Status.PENDING, Order.Status.CANCELLED])
        .values_list("plan__service__slug", flat=True)
    )


def _seed_reviews(customers, staff, now):
    services = {s.slug: s for s in Service.objects.filter(slug__in={r[1] for r in REVIEWS})}
    for position, (email, slug, rating, title, body, published) in enumerate(REVIEWS):
        user = customers[email]
        if slug not in _bought_services(user):
            continue  # only people who bought a service may review it
        written = now - timedelta(days=90 - position * 9)
        review, created = Review.objects.get_or_create(
            service=services[slug],
            user=user,
            defaults={
                "rating": rating,
                "title": title,
                "body": body,
                "status": Review.Status.APPROVED if published else Review.Status.PENDING,
                "moderated_at": written + timedelta(days=1) if published else None,
                "moderated_by": staff if published else None,
            },
        )
        if created:
            Review.objects.filter(pk=review.pk).update(created_at=written)


def _seed_saved_searches(customers, now):
    for email, name, query in SAVED_SEARCHES:
        SavedSearch.objects.get_or_create(user=customers[email], name=name, defaults={"query": query})
    # Past its two-year retention, but Chloé has asked for processing to be restricted (privacy
    # demo data), so the purge holds it and the "held past retention" report lists it.
    old, created = SavedSearch.objects.get_or_create(
        user=customers[HELD_SEARCH_CUSTOMER], name="Newsletter ideas", defaults={"query": "q=newsletter"}
    )
    if created:
        SavedSearch.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=800))


def _seed_consultations(customers, now):
    for email, name, phone, company, message, status, days_ago, linked in CONSULTATIONS:
        ConsultationRequest.objects.get_or_create(
            email=email,
            name=name,
            defaults={
                "user": customers.get(email) if linked else None,
                "phone": phone,
                "company": company,
                "message": message,
                "status": status,
                "created_at": now - timedelta(days=days_ago),
            },
        )


def _seed_admin_log(customers, staff, now):
    """The staff change log: staff moved each customer's latest order along its timeline."""
    order_type = ContentType.objects.get_for_model(Order)
    for user in customers.values():
        order = Order.objects.filter(user=user).order_by("-created_at").first()
        if order is None or LogEntry.objects.filter(content_type=order_type, object_id=str(order.pk)).exists():
            continue
        LogEntry.objects.create(
            user=staff,
            content_type=order_type,
            object_id=str(order.pk),
            object_repr=str(order)[:200],
            action_flag=CHANGE,
            change_message='[{"changed": {"fields": ["Status"]}}]',
            action_time=min(now, order.created_at + timedelta(days=1)),
        )


def _seed_carts(customers, plans):
    for email, slug, plan_name, quantity in CARTS:
        cart, _ = Cart.objects.get_or_create(user=customers[email])
        CartLine.objects.get_or_create(cart=cart, plan=plans[(slug, plan_name)], defaults={"quantity": quantity})
