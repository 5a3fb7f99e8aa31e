from django import forms
from django.utils import timezone


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form gains: the customer's name and the age confirmation (P12)."""

    full_name = forms.CharField(label="Full name", max_length=150)
    confirm_age = forms.BooleanField(
        label="I am 16 or older",
        required=True,
        error_messages={"required": "You must be 16 or older to open an account."},
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.age_confirmed_at = timezone.now()
        user.save(update_fields=["full_name", "age_confirmed_at"])
