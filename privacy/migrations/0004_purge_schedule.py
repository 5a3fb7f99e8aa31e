"""The daily retention purge (P10) on celery beat, so it exists on every install.

Staff can move or pause it in the admin (django-celery-beat); the migration never
overwrites a schedule that already exists.
"""

from django.db import migrations

TASK_NAME = "Retention purge (privacy)"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "privacy.retention_purge",
            "crontab": crontab,
            "description": "Deletes or anonymises personal data past its retention period, "
            "as each app's personal_data.py declares; clears expired sessions.",
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_policy_and_processors"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
