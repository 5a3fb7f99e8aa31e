"""Analytics settings (``ANALYTICS_<NAME>``), read at call time through ``settings.<NAME>``."""

from django.conf import settings as django_settings

DEFAULTS = {
    # Rows per bulk_create when the buffer is flushed; also the most one flush moves per batch.
    "FLUSH_BATCH_SIZE": 500,
    # Batches one flush may move before it yields to the next run (bounded work per run).
    "FLUSH_MAX_BATCHES": 200,
    # A process ships its records to Redis after a response once it holds this many, or
    # its oldest is this old (one round trip for many page views, none in the request).
    "SHIP_RECORDS": 20,
    "SHIP_SECONDS": 2,
    # A process's own buffer (no Redis, or Redis down) is flushed by that process after a
    # response once it holds this many records or its oldest record is this old.
    "MEMORY_FLUSH_RECORDS": 200,
    "MEMORY_FLUSH_SECONDS": 60,
    # The most records a process keeps in memory while nothing flushes; older ones are dropped.
    "MEMORY_MAX_RECORDS": 10_000,
    # Paths never recorded: the staff admin, health probes, webhooks, static and media files.
    "IGNORED_PREFIXES": ("/admin/", "/healthz", "/webhooks/", "/static/", "/media/", "/favicon.ico"),
    # The Redis list the web processes push to and the beat task drains.
    "BUFFER_KEY": "analytics:pageviews",
}


class Settings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(django_settings, f"ANALYTICS_{name}", DEFAULTS[name])


settings = Settings()
