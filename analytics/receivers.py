"""Handlers of Django's own signals."""

from django.core.signals import request_finished
from django.dispatch import receiver

from analytics import services
from analytics.buffer import buffer


@receiver(request_finished, dispatch_uid="analytics.on_request_finished_flush_memory")
def on_request_finished_flush_memory(sender, **kwargs):
    """A process that buffers in its own memory (no Redis, or Redis down) stores its page
    views itself, after a response has gone out and only once enough have gathered; the
    beat task cannot reach another process's memory."""
    if buffer.memory_due():
        services.page_views_flush(memory_only=True)
