"""Handlers of Django's own signals."""

from django.core.signals import request_finished
from django.dispatch import receiver

from analytics import services
from analytics.buffer import buffer


@receiver(request_finished, dispatch_uid="analytics.on_request_finished_ship_page_views")
def on_request_finished_ship_page_views(sender, **kwargs):
    """After a response has gone out, the process's page views move on once enough have
    gathered: to the Redis list (one RPUSH), or, without Redis or while it is down, straight
    to the database, since the beat task cannot reach another process's memory."""
    if buffer.redis_available():
        if buffer.ship_due():
            buffer.ship()
    elif buffer.memory_due():
        services.page_views_flush(memory_only=True)
