from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self):
        from anymail.signals import inbound, tracking

        from marketing import checks, receivers  # noqa: F401 (checks register themselves)
        from privacy import signals

        signals.consent_withdrawn.connect(
            receivers.on_consent_withdrawn_drop_texts, dispatch_uid="marketing.consent_withdrawn.drop_texts"
        )
        signals.objection_recorded.connect(
            receivers.on_objection_recorded_drop_texts, dispatch_uid="marketing.objection_recorded.drop_texts"
        )
        tracking.connect(receivers.on_tracking_record_provider_event, dispatch_uid="marketing.provider_events")
        inbound.connect(receivers.on_inbound_unsubscribe_by_reply, dispatch_uid="marketing.unsubscribe_by_reply")
