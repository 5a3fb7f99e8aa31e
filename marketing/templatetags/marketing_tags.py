from django import template

from privacy.selectors import cookie_use_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def tag_allowed(context, category):
    """Whether the marketing tag of ``category`` may run on this page: the visitor's cookie
    choice allows it and no restriction of the signed-in customer covers it (P07, P23)."""
    request = context.get("request")
    return request is not None and cookie_use_allowed(request, category)
