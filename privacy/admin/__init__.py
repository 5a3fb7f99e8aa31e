"""The privacy app in the staff admin, one module per area."""

from privacy.admin import audit  # noqa
from privacy.admin import processors  # noqa
from privacy.admin import retention  # noqa
from privacy.admin import policy  # noqa
from privacy.admin import erasure  # noqa
from privacy.admin import requests  # noqa
from privacy.admin import consent  # noqa
