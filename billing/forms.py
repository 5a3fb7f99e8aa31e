from decimal import Decimal

from django import forms


class RefundForm(forms.Form):
    """Staff refund an order fully or in part. The amount is checked against what is left
    to refund by the service (billing.services.refund_open), under the order's lock."""

    amount = forms.DecimalField(
        label="Amount to refund (£, VAT included)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": "Enter an amount of at least £0.01."},
    )
    reason = forms.CharField(
        label="Reason", max_length=255, help_text="Printed on the credit note and told to the customer."
    )
