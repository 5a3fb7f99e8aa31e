"""The marketing app in the staff admin, one module per area."""

from marketing.admin import (
    ad_tags,  # noqa: F401
    affiliates,  # noqa: F401
    campaigns,  # noqa: F401
    preferences,  # noqa: F401
)
