"""A purge run killed mid-way ends abandoned (Q-10), and an hourly catch-up on celery beat
starts again a purge that did not finish, so it exists on every install.

Staff can move or pause it in the admin (django-celery-beat); pausing the daily purge
means pausing this one too. The migration never overwrites a schedule that already exists.
"""

from django.db import migrations, models

TASK_NAME = "Retention purge catch-up (privacy, hourly)"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="50", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "privacy.retention_purge_catch_up",
            "crontab": crontab,
            "description": "Runs the retention purge again when the last run did not finish "
            "(killed, failed or missed); does nothing otherwise.",
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_export_expire_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.AlterField(
            model_name="purgerun",
            name="status",
            field=models.CharField(
                choices=[
                    ("running", "Running"),
                    ("finished", "Finished"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped: another run was in progress"),
                    ("abandoned", "Abandoned: stopped without finishing"),
                ],
                default="running",
                max_length=10,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
