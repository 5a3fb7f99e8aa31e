import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.countries import COUNTRIES
from accounts.models import Address, Profile

COUNTRY_CHOICES = [("", "Choose a country")] + list(COUNTRIES)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,22}[0-9]$")
PHONE_MESSAGE = (
    "Enter a phone number using digits, spaces and an optional leading + "
    "for the country code, for example +44 20 7946 0000."
)


def clean_phone_number(value):
    """Digits, spaces, brackets and dashes with an optional leading +; 7 to 15 digits (E.164)."""
    value = " ".join(value.split())
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 7 <= len(digits) <= 15:
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    return value


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form gains: the customer's name and the age confirmation (P12)."""

    # allauth mixes this form into its own; this order applies to the combined form.
    field_order = ["email", "full_name", "password1", "password2", "confirm_age"]

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm_age = forms.BooleanField(
        label="I am 16 or older",
        required=True,
        help_text="Kinetogram is not for children: you must be 16 or older to open an account.",
        error_messages={"required": "You must be 16 or older to open an account."},
    )

    def clean(self):
        cleaned_data = super().clean()
        # allauth checks the new password against a bare user that only knows the email
        # address; the name is only known here, so its similarity is checked here (P18).
        password = cleaned_data.get("password1")
        full_name = cleaned_data.get("full_name")
        if password and full_name:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(full_name=full_name)
            validator = password_validation.UserAttributeSimilarityValidator(user_attributes=("full_name",))
            try:
                validator.validate(password, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.age_confirmed_at = timezone.now()
        user.save(update_fields=["full_name", "age_confirmed_at"])


class ProfileForm(forms.ModelForm):
    """The customer's name (kept on the user) and contact details (kept on the profile)."""

    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES, required=False)

    class Meta:
        model = Profile
        fields = ["phone", "company", "city", "country"]
        labels = {"phone": "Phone number", "company": "Company", "city": "Town or city"}
        help_texts = {"phone": "Include the country code if you are outside the UK, e.g. +49 30 1234567."}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "company": forms.TextInput(attrs={"autocomplete": "organization"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    field_order = ["full_name", "phone", "company", "city", "country"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].initial = user.full_name
        self.order_fields(self.field_order)

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data["phone"])


class AddressForm(forms.ModelForm):
    kind = forms.ChoiceField(label="Use this address for", choices=Address.Kind.choices, widget=forms.RadioSelect)
    country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES)

    class Meta:
        model = Address
        fields = ["kind", "full_name", "company", "line1", "line2", "city", "postcode", "country", "is_default"]
        labels = {
            "full_name": "Full name",
            "company": "Company (optional)",
            "line1": "Address line 1",
            "line2": "Address line 2 (optional)",
            "city": "Town or city",
            "postcode": "Postcode",
            "is_default": "Make this my default address of this kind",
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "company": forms.TextInput(attrs={"autocomplete": "organization"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def clean_postcode(self):
        postcode = " ".join(self.cleaned_data["postcode"].split()).upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9 \-]{1,18}", postcode):
            raise ValidationError("Enter a postcode using letters, digits, spaces or dashes.", code="invalid_postcode")
        return postcode
