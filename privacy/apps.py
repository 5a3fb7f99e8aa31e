from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from privacy import checks  # noqa: F401  (registers the system checks)

        autodiscover_modules("personal_data")

        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from privacy import receivers

        user_logged_in.connect(
            receivers.on_user_logged_in_restore_cookie_choice, dispatch_uid="privacy-restore-cookie-choice"
        )

        from privacy.signals import export_ready

        export_ready.connect(receivers.on_export_ready_complete_request, dispatch_uid="privacy-export-ready-request")

        for signal in (post_save, post_delete):
            signal.connect(
                receivers.on_policy_version_saved_clear_cache,
                sender="privacy.PolicyVersion",
                dispatch_uid=f"privacy-policy-cache-{signal}",
            )
