import re

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.consents import OPT_IN_WORDING
from accounts.countries import COUNTRIES
from accounts.models import Address, Profile
from accounts.services import signup_details_save
from privacy.models import Restriction

COUNTRY_CHOICES = [("", "Choose a country")] + list(COUNTRIES)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,22}[0-9]$")
#: Text offers start only once the number is confirmed with a code (double opt-in, P05).
SMS_CONFIRM_FIRST = "They start once I confirm my number with a code you text me."

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
    """Fields allauth's sign-up form gains: the customer's name, the age confirmation (P12) and
    the marketing opt-ins, unticked (P05).

    The mobile number is asked only as part of the text-offers opt-in: it is optional and
    needed only when that box is ticked, so sign-up stays short for everyone else.
    """

    # allauth mixes this form into its own; this order applies to the combined form.
    field_order = [
        "email",
        "full_name",
        "password1",
        "password2",
        "confirm_age",
        "email_marketing",
        "sms_marketing",
        "marketing_phone",
    ]

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
    # P05: opt-in, never pre-ticked; the label is the wording the ledger records.
    email_marketing = forms.BooleanField(label=OPT_IN_WORDING["email_marketing"], required=False, initial=False)
    sms_marketing = forms.BooleanField(
        label=OPT_IN_WORDING["sms_marketing"] + " " + SMS_CONFIRM_FIRST, required=False, initial=False
    )
    marketing_phone = forms.CharField(
        label="Mobile number for text offers (optional)",
        required=False,
        max_length=32,
        help_text="Only if you tick text offers above. Include the country code outside the UK.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_marketing_phone(self):
        return clean_phone_number(self.cleaned_data["marketing_phone"])

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("sms_marketing")
            and not cleaned_data.get("marketing_phone")
            and ("marketing_phone" not in self.errors)
        ):
            self.add_error("marketing_phone", "Enter the mobile number we should text, or untick the text offers box.")
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
        if self.cleaned_data.get("sms_marketing"):
            messages.info(
                request,
                "One more step for text offers: confirm your mobile number with the code we text you, "
                "in your marketing preferences.",
            )
        signup_details_save(
            user=user,
            full_name=self.cleaned_data["full_name"],
            email_marketing=self.cleaned_data.get("email_marketing", False),
            sms_marketing=self.cleaned_data.get("sms_marketing", False),
            phone=self.cleaned_data.get("marketing_phone", ""),
        )


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


class RestrictionRequestForm(forms.Form):
    """A customer restricts processing of their data (P23)."""

    scope = forms.ChoiceField(
        label="Stop using my data for",
        choices=Restriction.Scope.choices,
        initial=Restriction.Scope.ALL,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why (for example: my data is wrong, or I have objected and want it kept meanwhile)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RectificationRequestForm(forms.Form):
    """What a customer cannot edit themselves and wants corrected (P21): one optional
    "should be" field per value, shown beside the current one."""

    note = forms.CharField(
        label="Anything else we should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = records
        self.rows = []
        for record in records:
            for item in record["fields"]:
                name = f"fix__{record['record']}__{record['object_id']}__{item['field']}"
                self.fields[name] = forms.CharField(
                    label=f"{record['object']}: {item['label']} should be",
                    required=False,
                    max_length=255,
                )
                self.rows.append({"record": record, "item": item, "name": name})

    def bound_rows(self):
        return [{**row, "field": self[row["name"]]} for row in self.rows]

    def changes(self) -> list[dict]:
        return [
            {
                "record": row["record"]["record"],
                "object_id": row["record"]["object_id"],
                "field": row["item"]["field"],
                "current": str(row["item"]["current"] or ""),
                "requested": self.cleaned_data[row["name"]].strip(),
            }
            for row in self.rows
            if self.cleaned_data.get(row["name"], "").strip()
            and self.cleaned_data[row["name"]].strip() != str(row["item"]["current"] or "")
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.changes():
            raise ValidationError("Write the correct value next to what is wrong.")
        return data
