"""The page-view flush (P01) on celery beat every minute, so it exists on every install.

Staff can move or pause it in the admin (django-celery-beat); the migration never
overwrites a schedule that already exists.
"""

from django.db import migrations

TASK_NAME = "Store buffered page views (analytics)"


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "analytics.page_views_flush",
            "interval": every_minute,
            "description": "Moves the page views the site buffered in Redis into the database, in batches.",
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
