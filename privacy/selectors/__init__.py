"""Questions other apps ask the privacy hub (``consent_is_granted``, ``processing_is_restricted``).

Grouped by area in this package; import them from here.
"""

from privacy.selectors.consent import consent_is_granted, consent_state  # noqa: F401
from privacy.selectors.cookies import cookie_category_allowed, cookie_consent_for  # noqa: F401
from privacy.selectors.export import exports_for  # noqa: F401
from privacy.selectors.policy import dpo_contact, policy_current, policy_page, policy_review_pending  # noqa: F401  # noqa: F401
from privacy.selectors.restriction import processing_is_restricted  # noqa: F401, E402

# Appended one name a line, unsorted, so parallel additions merge cleanly.
# isort: off
from privacy.selectors.suppression import is_suppressed  # noqa: F401
from privacy.selectors.rectification import rectifiable_records  # noqa: F401
from privacy.selectors.objection import has_objected  # noqa: F401
from privacy.selectors.marketing import marketing_allowed  # noqa: F401
from privacy.selectors.restriction import restricted_scopes  # noqa: F401
from privacy.selectors.restriction import restrictions_of  # noqa: F401
from privacy.selectors.cookies import cookie_use_allowed  # noqa: F401
from privacy.selectors.marketing import marketing_audience  # noqa: F401
from privacy.selectors.suppression import suppressed_among  # noqa: F401
