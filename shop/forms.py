import re

from django import forms

from shop.models import ConsultationRequest

# --- consultation (P37) ------------------------------------------------------------
PHONE_ALLOWED = re.compile(r"^\+?[\d\s().-]+$")
CONSULTATION_MESSAGE_MAX = 4000
CONSULTATION_MESSAGE_MIN = 20


class ConsultationRequestForm(forms.ModelForm):
    """The free consultation request (P37)."""

    class Meta:
        model = ConsultationRequest
        fields = ["name", "email", "phone", "company", "message"]
        labels = {
            "name": "Your name",
            "email": "Email address",
            "phone": "Phone (optional)",
            "company": "Company (optional)",
            "message": "How can we help?",
        }
        help_texts = {
            "phone": "Only if you would rather we called you. Include the country code if outside the UK.",
            "message": (
                f"Tell us about your business and what you would like to achieve "
                f"({CONSULTATION_MESSAGE_MIN}–{CONSULTATION_MESSAGE_MAX} characters). "
                "Please do not include card or bank details."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "company": forms.TextInput(attrs={"autocomplete": "organization"}),
            "message": forms.Textarea(attrs={"rows": 7, "maxlength": CONSULTATION_MESSAGE_MAX}),
        }
        error_messages = {
            "name": {"required": "Please tell us your name."},
            "email": {
                "required": "Please enter your email address so we can reply.",
                "invalid": "Enter a valid email address, like name@example.com.",
            },
            "phone": {"max_length": "Enter a phone number of 7 to 15 digits, for example +44 20 7946 0000."},
            "message": {
                "required": "Please tell us briefly what you would like to discuss.",
                "max_length": "Please keep your message to %(limit_value)d characters (it has %(show_value)d).",
            },
        }

    def full_clean(self):
        super().full_clean()
        # Screen readers announce an invalid field's error with it, not only the help text.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described_by = [f"{bound.auto_id}_errors"]
                if bound.help_text:
                    described_by.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described_by)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        # The name is repeated in the confirmation email; refusing links keeps the form
        # from being used to send links to other people's inboxes.
        if "://" in name or "www." in name.lower():
            raise forms.ValidationError("Please enter just your name, without a web address.")
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        digits = re.sub(r"\D", "", phone)
        if not PHONE_ALLOWED.match(phone) or not 7 <= len(digits) <= 15:
            raise forms.ValidationError(
                "Enter a phone number of 7 to 15 digits, for example +44 20 7946 0000.", code="invalid_phone"
            )
        return phone

    def clean_message(self):
        message = self.cleaned_data["message"]
        if len(message) < CONSULTATION_MESSAGE_MIN:
            raise forms.ValidationError(
                f"Please tell us a little more: at least {CONSULTATION_MESSAGE_MIN} characters.", code="too_short"
            )
        return message
