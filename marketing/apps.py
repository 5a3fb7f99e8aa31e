from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self):
        from marketing import checks, receivers  # noqa: F401
        from privacy import signals

        signals.consent_withdrawn.connect(
            receivers.on_consent_withdrawn_drop_texts, dispatch_uid="marketing.consent_withdrawn.drop_texts"
        )
        signals.objection_recorded.connect(
            receivers.on_objection_recorded_drop_texts, dispatch_uid="marketing.objection_recorded.drop_texts"
        )
