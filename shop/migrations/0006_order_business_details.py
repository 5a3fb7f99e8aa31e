from decimal import Decimal

from django.db import migrations, models
from django.db.models import F


def net_is_total_before_vat(apps, schema_editor):
    # Orders placed before VAT was charged: the whole total was the net price.
    apps.get_model("shop", "Order").objects.update(net_total=F("total"))


class Migration(migrations.Migration):
    dependencies = [("shop", "0005_one_order_per_cart")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="net_total",
            field=models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=12),
        ),
        migrations.AddField(
            model_name="order",
            name="vat_total",
            field=models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=12),
        ),
        migrations.AddField(
            model_name="order",
            name="vat_rate",
            field=models.DecimalField(decimal_places=4, default=Decimal("0"), max_digits=5),
        ),
        migrations.AddField(
            model_name="order",
            name="vat_treatment",
            field=models.CharField(
                blank=True,
                choices=[
                    ("standard", "Standard rate"),
                    ("reverse_charge", "Reverse charge (outside the scope of UK VAT)"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="vat_number",
            field=models.CharField(blank=True, max_length=32, verbose_name="VAT number"),
        ),
        migrations.AddField(
            model_name="order",
            name="purchase_order",
            field=models.CharField(blank=True, max_length=64, verbose_name="purchase order reference"),
        ),
        migrations.AddField(
            model_name="order",
            name="invoice_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="billing email"),
        ),
        migrations.RunPython(net_is_total_before_vat, migrations.RunPython.noop),
    ]
