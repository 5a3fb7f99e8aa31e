from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class KinetogramAdminConfig(AdminConfig):
    """Django's admin with the shop's own site as `admin.site` (see kinetogram.admin)."""

    default_site = "kinetogram.admin.KinetogramAdminSite"


class KinetogramConfig(AppConfig):
    """The project package as an app, so it can register its deploy checks."""

    name = "kinetogram"
    verbose_name = "Kinetogram"

    def ready(self):
        from django.core import checks

        from kinetogram.checks import broker_eviction_check, production_fallbacks_check

        checks.register(production_fallbacks_check, checks.Tags.security, deploy=True)
        checks.register(broker_eviction_check, checks.Tags.database, deploy=True)
