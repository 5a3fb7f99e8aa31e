"""Which advertising tags a page may carry (P07)."""

from __future__ import annotations

from marketing.models import AdTag
from privacy.selectors import cookie_use_allowed

_CACHE_ATTRIBUTE = "_marketing_ad_tags"


def ad_tags_for(request, placement: str) -> list[AdTag]:
    """The active ad tags of ``placement`` for this request: none unless the visitor allows
    advertising cookies, Global Privacy Control is not sent, and no restriction covers the
    signed-in customer's marketing (``cookie_use_allowed``: P07, P09, P23). The tags of both
    placements are read in one query per request, and none without consent."""
    if request is None or not cookie_use_allowed(request, "advertising"):
        return []
    tags = getattr(request, _CACHE_ATTRIBUTE, None)
    if tags is None:
        tags = list(AdTag.objects.filter(is_active=True))
        setattr(request, _CACHE_ATTRIBUTE, tags)
    return [tag for tag in tags if tag.placement == placement]
