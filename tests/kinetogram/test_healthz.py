"""``/healthz`` through django-health-check: what it checks, and 503 naming what is down."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_and_storages_answer(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get("/healthz", **JSON)
    assert response.status_code == 200
    assert set(response.json().values()) == {"OK"}
    assert any(name.startswith("Database") for name in response.json())
    assert sum(name.startswith("Storage") for name in response.json()) == 2
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_a_broken_broker_as_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz", **JSON)
    assert response.status_code == 503
    failed = [name for name, state in response.json().items() if state != "OK"]
    assert failed and all(name.startswith("Redis") for name in failed)


@pytest.mark.django_db
def test_healthz_pings_the_shared_caches_redis_though_pages_never_see_it_down(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.CACHES = {
        "default": {"BACKEND": "kinetogram.cache.FailSafeRedisCache", "LOCATION": "redis://127.0.0.1:1/1"}
    }
    response = client.get("/healthz", **JSON)
    assert response.status_code == 503


@pytest.mark.django_db
def test_healthz_says_when_beat_has_not_sent_a_task_for_a_quarter_of_an_hour():
    from health_check.exceptions import ServiceUnavailable

    from kinetogram.health import BeatRecent

    task = PeriodicTask.objects.filter(enabled=True).first()
    assert task is not None  # the migrations schedule the site's jobs
    PeriodicTask.objects.update(last_run_at=timezone.now() - datetime.timedelta(minutes=16))
    with pytest.raises(ServiceUnavailable):
        BeatRecent().run()
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now() - datetime.timedelta(minutes=4))
    BeatRecent().run()  # raises nothing


def test_healthz_judges_beat_only_where_a_worker_and_beat_run(settings):
    from kinetogram.health import BeatRecent, health_checks

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert BeatRecent in {type(check) for check in health_checks()}
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded run: tasks run in the request
    assert BeatRecent not in {type(check) for check in health_checks()}


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
