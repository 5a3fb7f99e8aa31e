from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing and VAT"

    def ready(self):
        from billing import receivers

        post_migrate.connect(
            receivers.on_post_migrate_load_reference_rows, sender=self, dispatch_uid="billing-reference-rows"
        )
