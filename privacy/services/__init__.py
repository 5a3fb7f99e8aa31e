"""Privacy services: every write to personal data that the privacy hub owns.

Grouped by area in this package; import them from here (``from privacy.services import
consent_withdraw``).
"""

from privacy.services.audit import audit_record  # noqa: F401
from privacy.services.consent import ConsentError, consent_grant, consent_withdraw, current_policy_version  # noqa: F401
from privacy.services.cookies import cookie_choice_record, privacy_signal_record  # noqa: F401
from privacy.services.disclosures import disclosure_record  # noqa: F401
from privacy.services.export import (
    ExportLimited,  # noqa: F401
    ExportUnavailable,  # noqa: F401
    export_build,  # noqa: F401
    export_download,  # noqa: F401
    export_expire,  # noqa: F401
    export_request,  # noqa: F401
    export_write,  # noqa: F401
)
from privacy.services.policy import PolicyError, policy_acknowledge, policy_version_publish  # noqa: F401
from privacy.services.restriction import RestrictionError, restriction_create, restriction_end, restriction_review  # noqa: F401
from privacy.services.retention import retention_purge  # noqa: F401

# Appended one name a line, unsorted, so parallel additions merge cleanly.
# isort: off
from privacy.services.erasure import ErasureRefused  # noqa: F401
from privacy.services.erasure import subject_erase  # noqa: F401
from privacy.services.processors import processor_step_retry  # noqa: F401
from privacy.services.processors import processor_step_run  # noqa: F401
from privacy.services.rectification import RectificationError  # noqa: F401
from privacy.services.rectification import rectification_apply  # noqa: F401
from privacy.services.objection import objection_record  # noqa: F401
from privacy.services.objection import objection_withdraw  # noqa: F401
from privacy.services.retention import retention_purge_catch_up  # noqa: F401
