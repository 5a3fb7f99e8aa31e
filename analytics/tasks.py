"""Celery tasks of the analytics app. The beat row for the flush is made by migration 0002."""

from celery import shared_task
from django.db import OperationalError

from analytics import services


@shared_task(
    name="analytics.page_views_flush",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    time_limit=600,
    soft_time_limit=540,
)
def page_views_flush():
    """Every minute: move the buffered page views into the database (P01). Safe to run twice:
    a record leaves the buffer only once it is stored; an overlapping run exits at once."""
    result = services.page_views_flush()
    return {"stored": result.stored, "bots": result.bots, "unreadable": result.unreadable, "skipped": result.skipped}
