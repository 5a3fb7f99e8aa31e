from django import forms
from phonenumber_field.formfields import PhoneNumberField

from marketing.conf import settings
from marketing.models import MessageChoice
from marketing.selectors.preferences import time_zone_choices
from shop.models import Category


class MarketingChoicesForm(forms.Form):
    """Interests, preferred messages and brands, and the time zone texts respect."""

    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Services I am interested in",
    )
    messages = forms.MultipleChoiceField(
        choices=[(t.value, t.label) for t in MessageChoice.MESSAGES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Messages I would like",
    )
    brands = forms.MultipleChoiceField(
        choices=[(t.value, t.label) for t in MessageChoice.BRANDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Brands I would like to hear about",
    )
    time_zone = forms.ChoiceField(
        choices=(), label="My time zone", help_text="We text you only between 8am and 9pm here."
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(is_active=True)
        self.fields["categories"].choices = [(c.pk, c.name) for c in categories]
        self.fields["time_zone"].choices = time_zone_choices()
        start, end = settings.SMS_SEND_WINDOW
        self.fields["time_zone"].help_text = f"We text you only between {start:02d}:00 and {end:02d}:00 here."


class PhoneNumberForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The region is a setting, read when the form is made, never at import.
        self.fields["number"] = PhoneNumberField(
            region=settings.PHONE_REGION,
            label="Mobile number",
            help_text="A UK mobile number, or any number with its + country code.",
            error_messages={"invalid": "Enter a valid mobile number, such as 07911 123456 or +44 7911 123456."},
            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        )


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        label="6-digit code",
        max_length=10,
        error_messages={"invalid": "Enter the 6 digits of the code we texted you."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
