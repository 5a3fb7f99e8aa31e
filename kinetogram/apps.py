from django.contrib.admin.apps import AdminConfig


class KinetogramAdminConfig(AdminConfig):
    """Django's admin with the shop's own site as `admin.site` (see kinetogram.admin)."""

    default_site = "kinetogram.admin.KinetogramAdminSite"
