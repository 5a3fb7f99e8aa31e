"""The daily reminder of privacy requests due within a week or overdue (PR-11), on celery beat.

Staff can move or pause it in the admin; the migration never overwrites a schedule that exists.
"""

from django.db import migrations

TASK_NAME = "Privacy request reminders"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "privacy.request_reminders",
            "crontab": crontab,
            "description": "Emails the assignee and the DPO about privacy requests due within 7 days or overdue.",
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0008_purge_abandoned_and_catch_up"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
