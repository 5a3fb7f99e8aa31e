"""Contests and surveys services: every write of this app.

Grouped by concern in this package; import them from here.
"""

from contests.services.draws import DrawError, draw_create, draw_replay  # noqa: F401
from contests.services.entries import (  # noqa: F401
    OFFERS_HELP,
    OFFERS_LABEL,
    OFFERS_WORDING,
    EntryRefused,
    entry_confirm,
    entry_create,
    entry_refusal,
    pending_entry_create,
    pending_entry_from_token,
)
from contests.services.surveys import ResponseRefused, response_submit  # noqa: F401
