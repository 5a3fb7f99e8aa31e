"""Reads of the marketing app, one module per concern; import them from here."""

# Appended one name a line, unsorted, so parallel additions merge cleanly.
# isort: off
from marketing.selectors.offers import offers_for  # noqa: F401
from marketing.selectors.affiliates import commissions_by_month  # noqa: F401
from marketing.selectors.ad_tags import ad_tags_for  # noqa: F401
