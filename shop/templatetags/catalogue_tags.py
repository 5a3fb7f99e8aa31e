from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html

register = template.Library()

BILLING_SUFFIX = {"month": "/ month", "year": "/ year", "one_off": "one-off"}
BILLING_PERIOD = {"month": "month", "year": "year"}
KIND_WORDS = {"subscription": "Subscriptions", "one_off": "One-off", "month": "Monthly plans", "year": "Yearly plans"}


@register.filter
def money(value, style=""):
    """£1,234.50; with "short", whole pounds drop the pence (£49)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if style == "short" and amount == amount.to_integral_value():
        return f"£{intcomma(int(amount))}"
    pounds, pence = f"{amount:.2f}".split(".")
    return f"£{intcomma(int(pounds))}.{pence}"


@register.filter
def billing_suffix(billing):
    return BILLING_SUFFIX.get(billing, "")


@register.filter
def billing_period(billing):
    return BILLING_PERIOD.get(billing, "")


@register.simple_tag
def stars(rating, count=None):
    """Five stars, filled to the rating rounded to the nearest whole star, with a text
    alternative for screen readers."""
    if rating is None:
        return format_html('<span class="stars stars-none">No reviews yet</span>')
    value = float(rating)
    filled = max(0, min(5, int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))))
    label = f"Rated {value:.1f} out of 5"
    if count is not None:
        label += f" from {count} review{'s' if count != 1 else ''}"
    return format_html(
        '<span class="stars" role="img" aria-label="{}">{}<span class="stars-empty">{}</span></span>',
        label,
        "★" * filled,
        "★" * (5 - filled),
    )


@register.filter
def reviewer_name(user):
    """Only the first name appears next to a review; never the email address."""
    name = (getattr(user, "full_name", "") or "").strip()
    return name.split()[0] if name else "Verified customer"


@register.filter
def describe_search(query):
    """A saved search's query string in words: Search “social” · Subscriptions · £10 to £100."""
    from urllib.parse import parse_qsl

    from shop.selectors import SORT_CHOICES

    params = dict(parse_qsl(query or ""))
    parts = []
    if params.get("q"):
        parts.append(f"Search “{params['q']}”")
    if params.get("category"):
        parts.append(f"Category: {params['category'].replace('-', ' ')}")
    if params.get("kind"):
        parts.append(KIND_WORDS.get(params["kind"], params["kind"]))
    low, high = params.get("min_price"), params.get("max_price")
    if low and high:
        parts.append(f"{money(low, 'short')} to {money(high, 'short')}")
    elif low:
        parts.append(f"from {money(low, 'short')}")
    elif high:
        parts.append(f"up to {money(high, 'short')}")
    if params.get("sort"):
        parts.append("sorted by " + dict(SORT_CHOICES).get(params["sort"], params["sort"]).lower())
    return " · ".join(parts) or "All services"


@register.filter
def initials(name):
    """Up to two initials for the placeholder visual: "Inbox Growth" -> "IG"."""
    words = [w for w in str(name).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper()
