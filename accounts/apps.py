from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers and accounts"

    def ready(self):
        from allauth.account.signals import user_signed_up
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_migrate, post_save

        from accounts import receivers
        from accounts.adapter import mfa_secrets_reencrypt
        from accounts.middleware import on_user_logged_in_start_staff_clock
        from accounts.staff_groups import on_post_migrate_sync_staff_groups
        from privacy.services.encryption import encryption_rotation_register

        user_signed_up.connect(
            receivers.on_user_signed_up_create_profile, dispatch_uid="accounts.create_profile_on_signup"
        )
        user_logged_out.connect(
            receivers.on_user_logged_out_forget_device, dispatch_uid="accounts.forget_device_on_logout"
        )
        post_save.connect(
            receivers.on_user_saved_end_sessions_when_disabled,
            sender=get_user_model(),
            dispatch_uid="accounts.end_sessions_when_disabled",
        )
        post_migrate.connect(receivers.on_post_migrate_sync_site, sender=self, dispatch_uid="accounts.sync_site")
        post_migrate.connect(on_post_migrate_sync_staff_groups, dispatch_uid="accounts.sync_staff_groups")
        user_logged_in.connect(on_user_logged_in_start_staff_clock, dispatch_uid="accounts.start_staff_session_clock")
        # CR-04: two-factor secrets are encrypted by allauth's adapter hook, not a model field.
        encryption_rotation_register("mfa.Authenticator", mfa_secrets_reencrypt)
