"""Reads of the marketing app, grouped by area; import them from here."""

# Appended one name a line, unsorted, so parallel additions merge cleanly.
# isort: off
from marketing.selectors.campaigns import campaign_audience  # noqa: F401
from marketing.selectors.campaigns import campaign_batch  # noqa: F401
from marketing.selectors.campaigns import campaign_figures  # noqa: F401
from marketing.selectors.campaigns import campaign_list_with_figures  # noqa: F401
from marketing.selectors.campaigns import unsubscribe_subject  # noqa: F401
