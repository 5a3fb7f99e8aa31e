from django.db import migrations

from billing.reference import load_reference_rows


def load(apps, schema_editor):
    # The counter rows exist before the first document, so issuing only ever locks a row
    # (SELECT ... FOR UPDATE) and never races to create one.
    load_reference_rows(
        vat_rate_model=apps.get_model("billing", "VatRate"),
        sequence_model=apps.get_model("billing", "DocumentSequence"),
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_vat_invoices_refunds")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
