from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers and accounts"

    def ready(self):
        from allauth.account.signals import user_signed_up
        from django.contrib.auth.signals import user_logged_out

        from accounts import receivers

        user_signed_up.connect(
            receivers.on_user_signed_up_create_profile, dispatch_uid="accounts.create_profile_on_signup"
        )
        user_logged_out.connect(
            receivers.on_user_logged_out_forget_device, dispatch_uid="accounts.forget_device_on_logout"
        )
        from django.contrib.auth.signals import user_logged_out
