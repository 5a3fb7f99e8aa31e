"""The policy as first implemented (P35) and the processor every install uses (P08)."""

import datetime

from django.db import migrations

FIRST_POLICY = {
    "version": "2018.05",
    "effective_date": datetime.date(2018, 5, 25),
    "summary": "The privacy and cookie policy as first implemented in May 2018.",
    "is_material": False,
}

STRIPE = {
    "name": "Stripe Payments Europe, Ltd.",
    "kind": "payments",
    "categories": ["identity", "contact", "address", "orders", "payment"],
    "purpose": "Taking card payments and running subscription billing; card numbers never reach us.",
    "location": "Ireland (EU), with transfers to the USA under the EU-US Data Privacy Framework",
    "contract_date": datetime.date(2018, 5, 25),
}


def forwards(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    Processor = apps.get_model("privacy", "Processor")
    PolicyVersion.objects.get_or_create(version=FIRST_POLICY["version"], defaults=FIRST_POLICY)
    Processor.objects.get_or_create(name=STRIPE["name"], defaults=STRIPE)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
