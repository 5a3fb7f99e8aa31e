from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self):
        from anymail.signals import inbound, tracking

        from marketing import checks, receivers  # noqa: F401 (checks register themselves)

        tracking.connect(receivers.on_tracking_record_provider_event, dispatch_uid="marketing.provider_events")
        inbound.connect(receivers.on_inbound_unsubscribe_by_reply, dispatch_uid="marketing.unsubscribe_by_reply")
