from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers and accounts"

    def ready(self):
        from accounts import receivers  # noqa: F401
