"""What ``/healthz`` checks, through django-health-check: the database, the shared cache's
Redis and the broker (when configured), the file storages the site writes to, and, where a
beat runs, that it sent a scheduled task recently.

The shared cache hides its own outage from pages (kinetogram.cache counts in memory while
Redis is away), so its Redis is pinged directly here: a load balancer must still see it.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from redis.asyncio import Redis as RedisClient


@dataclasses.dataclass
class BeatRecent(HealthCheck):
    """Beat sent a scheduled task within ``within``: the Stripe event re-drive runs every five
    minutes, so a quiet quarter of an hour means beat is not running."""

    within: datetime.timedelta = datetime.timedelta(minutes=15)

    def run(self):
        from django_celery_beat.models import PeriodicTask

        last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
        if last is None or timezone.now() - last > self.within:
            raise ServiceUnavailable("Beat has sent no scheduled task recently.")


def _redis(url: str) -> Redis:
    return Redis(client_factory=lambda: RedisClient.from_url(url, socket_connect_timeout=1, socket_timeout=1))


def health_checks() -> list[HealthCheck]:
    """The checks for this deployment, from its settings at the time of the request."""
    checks: list[HealthCheck] = [Database(), Storage(alias="default"), Storage(alias="exports")]
    cache_url = settings.CACHES["default"].get("LOCATION", "")
    if isinstance(cache_url, str) and cache_url.startswith(("redis://", "rediss://")):
        checks.append(_redis(cache_url))
    broker = settings.CELERY_BROKER_URL
    if broker and broker.startswith(("redis://", "rediss://")) and broker != cache_url:
        checks.append(_redis(broker))
    if broker and not broker.startswith("memory://") and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks.append(BeatRecent())
    return checks
