"""The hourly expiry of downloadable exports (PR-06) on celery beat, so it exists on every install.

Staff can move or pause it in the admin (django-celery-beat); the migration never
overwrites a schedule that already exists.
"""

from django.db import migrations

TASK_NAME = "Expire data downloads (privacy)"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="20", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "privacy.export_expire",
            "crontab": crontab,
            "description": "Deletes the files of personal-data downloads past their expiry and marks them expired.",
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0006_erasure_processor_steps"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
