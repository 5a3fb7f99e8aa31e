"""Least-privilege staff groups: Catalogue, Orders, Privacy requests, Marketing (P15).

The permissions that exist when this runs are given here; on a new database they are made
after the migrations, and accounts' post_migrate receiver gives them then (and later
models' too). Reversing removes the groups."""

from django.db import migrations

from accounts.staff_groups import STAFF_GROUPS, staff_groups_sync


def create_groups(apps, schema_editor):
    staff_groups_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
        using=schema_editor.connection.alias,
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=list(STAFF_GROUPS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_encrypt_two_factor_secrets"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
