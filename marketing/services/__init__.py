"""Writes of the marketing app, one module per concern; import them from here."""

# Appended one name a line, unsorted, so parallel additions merge cleanly.
# isort: off
from marketing.services.affiliates import affiliate_referral_record  # noqa: F401
