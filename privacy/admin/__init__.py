"""The privacy app in the staff admin, one module per area."""

from privacy.admin import policy  # noqa
