from django import template
from django.utils.safestring import mark_safe

from marketing.selectors import ad_tags_for, offers_for
from marketing.snippets import with_nonce
from privacy.selectors import cookie_use_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def tag_allowed(context, category):
    """Whether the marketing tag of ``category`` may run on this page: the visitor's cookie
    choice allows it and no restriction of the signed-in customer covers it (P07, P23)."""
    request = context.get("request")
    return request is not None and cookie_use_allowed(request, category)


@register.simple_tag(takes_context=True)
def ad_tags(context, placement):
    """The advertising tags configured in the admin for ``placement`` ("head" or "body_end"),
    each script with this response's CSP nonce; nothing without advertising consent, under
    Global Privacy Control, or for a restricted customer (P07, P09, P23).

    Staff enter the snippets in the admin (which only staff with two-factor reach); they are
    the broadcaster's code, put on the page as written, not visitor input."""
    request = context.get("request")
    tags = ad_tags_for(request, placement)
    if not tags:
        return ""
    nonce = str(getattr(request, "csp_nonce", ""))
    html = "\n".join(with_nonce(tag.snippet, nonce) for tag in tags)
    # Staff-configured broadcaster code, not visitor input (see the docstring).
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.inclusion_tag("marketing/_recommendations.html", takes_context=True)
def recommended_for_you(context, limit=4):
    """ "Recommended for you" (P06) for the signed-in customer, each offer with its reason;
    renders nothing for anyone the privacy hub says may not be profiled."""
    request = context.get("request")
    user = getattr(request, "user", None)
    offers = []
    if request is not None and user is not None and user.is_authenticated:
        offers = offers_for(user=user, browsing_allowed=cookie_use_allowed(request, "analytics"), limit=limit)
    return {"offers": offers, "request": request}
