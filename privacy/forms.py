"""Forms of the privacy pages people without an account use."""

from django import forms

from privacy.email_address import EmailAddressField
from privacy.models import Restriction, SubjectRequest


class SubjectRequestForm(forms.Form):
    """The public request form (P25). ``website`` is a honeypot: people never see it."""

    kind = forms.ChoiceField(
        label="What would you like us to do?",
        choices=SubjectRequest.Kind.choices,
        widget=forms.RadioSelect,
    )
    email = EmailAddressField(
        label="Your email address",
        help_text="We send a link to this address to confirm the request is yours.",
    )
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=4000,
        help_text="For a correction: what is wrong and what it should say. For a restriction: why.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    scope = forms.ChoiceField(
        label="For a restriction, what should we stop using your data for?",
        choices=Restriction.Scope.choices,
        initial=Restriction.Scope.ALL,
        required=False,
    )
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
