import re

from django import forms


class CheckoutForm(forms.Form):
    """Billing details for an order. Prices and totals are never fields here (IN-01)."""

    email = forms.EmailField(
        label="Email address",
        help_text="We send the order confirmation and receipt here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    billing_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    billing_company = forms.CharField(
        label="Company (optional)",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    billing_line1 = forms.CharField(
        label="Address line 1", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    billing_line2 = forms.CharField(
        label="Address line 2 (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    billing_city = forms.CharField(
        label="Town or city", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    billing_postcode = forms.CharField(
        label="Postcode", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    billing_country = forms.CharField(
        label="Country code",
        max_length=2,
        min_length=2,
        help_text="Two letters, for example GB, IE or FR.",
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 3}),
    )
    save_address = forms.BooleanField(label="Save this address in my address book", required=False)
    for_someone_else = forms.BooleanField(label="I am buying for someone else", required=False)
    recipient_name = forms.CharField(label="Their name", max_length=150, required=False)
    recipient_email = forms.EmailField(
        label="Their email address",
        required=False,
        help_text="Only used to arrange the service with them.",
    )

    def __init__(self, *args, signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        if signed_in:
            # The order goes to the account's own address.
            del self.fields["email"]
        else:
            del self.fields["save_address"]

    def clean_billing_country(self):
        value = self.cleaned_data["billing_country"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise forms.ValidationError("Enter the two-letter country code, for example GB.")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("for_someone_else"):
            if not cleaned.get("recipient_name"):
                self.add_error("recipient_name", "Enter the name of the person you are buying for.")
            if not cleaned.get("recipient_email") and "recipient_email" not in self.errors:
                self.add_error("recipient_email", "Enter their email address.")
        else:
            cleaned["recipient_name"] = ""
            cleaned["recipient_email"] = ""
        return cleaned

    def billing(self):
        data = self.cleaned_data
        return {
            key: data.get(f"billing_{key}", "").strip()
            for key in ("name", "company", "line1", "line2", "city", "postcode", "country")
        }

    def recipient(self):
        return {
            "name": self.cleaned_data.get("recipient_name", ""),
            "email": self.cleaned_data.get("recipient_email", ""),
        }


class OrderLookupForm(forms.Form):
    number = forms.CharField(
        label="Order number", max_length=20, help_text="It starts with KG-, as in your confirmation email."
    )
    email = forms.EmailField(
        label="Email address used for the order", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
