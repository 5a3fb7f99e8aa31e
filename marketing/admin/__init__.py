"""The marketing app in the staff admin, one module per area."""

from marketing.admin import ad_tags  # noqa
from marketing.admin import affiliates  # noqa
from marketing.admin import preferences  # noqa
