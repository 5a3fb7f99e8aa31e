"""The marketing app's admin, one module a concern."""

from marketing.admin import campaigns  # noqa: F401
