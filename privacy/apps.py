from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from privacy import checks  # noqa: F401  (registers the system checks)

        autodiscover_modules("personal_data")

        from django.db.models.signals import post_delete, post_save

        from privacy import cookies

        for signal in (post_save, post_delete):
            signal.connect(cookies.clear_policy_cache, sender="privacy.PolicyVersion", dispatch_uid=f"cookies-{signal}")
