"""Cookies set by the site's marketing tags and the affiliate link (P07, P29, P31).

None of them holds personal details (P30): random ids and a partner's code only.
"""

from privacy import cookies

DAY = 24 * 3600
ANALYTICS_COOKIE = "kg_analytics"
ADVERTISING_COOKIE = "kg_ad"
AFFILIATE_COOKIE = "kg_aff"
AFFILIATE_COOKIE_AGE = 30 * DAY

cookies.declare(
    ANALYTICS_COOKIE,
    category=cookies.ANALYTICS,
    party=cookies.KINETOGRAM,
    lifetime="13 months",
    max_age=396 * DAY,
    purpose="A random id that tells visits apart, so we can count visits and see which pages and campaigns "
    "work. Set by our own analytics tag; nothing is sent to another company.",
)
cookies.declare(
    ADVERTISING_COOKIE,
    category=cookies.ADVERTISING,
    party=cookies.ADVERTISING_BROADCASTER,
    lifetime="90 days",
    max_age=90 * DAY,
    purpose="A random id our advertising broadcaster's tag sets, so it can show you banner ads about our "
    "services on other websites.",
)
cookies.declare(
    AFFILIATE_COOKIE,
    category=cookies.AFFILIATE,
    party=cookies.MARKETING_PARTNER,
    lifetime="30 days",
    max_age=AFFILIATE_COOKIE_AGE,
    purpose="The code of the marketing partner whose link brought you here (?aff=...), kept for that partner "
    "so it can be paid if you buy.",
)
