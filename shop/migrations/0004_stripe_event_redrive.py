"""Stripe events can be stopped for staff (Q-02), and the re-drive of events no worker
finished runs every five minutes on every install (Q-09).

Staff can move or pause the schedule in the admin (django-celery-beat); the migration
never overwrites a schedule that already exists.
"""

from django.db import migrations, models

TASK_NAME = "Re-drive Stripe events (every 5 minutes)"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "shop.redrive_stripe_events",
            "interval": every_five_minutes,
            "description": "Processes the Stripe events that were recorded but never finished: "
            "the broker was down, or a worker was lost mid-event.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_subscription_kept_when_user_goes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stripeevent",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("processed", "Processed"),
                    ("ignored", "Ignored (type not handled)"),
                    ("failed", "Failed"),
                    ("stopped", "Stopped: needs staff"),
                ],
                db_index=True,
                default="received",
                max_length=10,
            ),
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
