import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from accounts.countries import COUNTRIES
from billing import vat
from privacy.email_address import EmailAddressField, email_widget
from shop.cart import clean_quantity
from shop.models import Category, ConsultationRequest, Review, SavedSearch
from shop.selectors import KIND_CHOICES, SORT_CHOICES, SORT_RELEVANCE

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
            "email": email_widget(),
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


# The filters a saved search or a page link keeps, in the order they appear in its URL.
FILTER_FIELDS = ("q", "category", "kind", "min_price", "max_price", "sort")
# Parameters that are not filters but may ride on a link to the catalogue: the page, the
# affiliate code (marketing's middleware) and campaign tags.
PASSING_PARAMS = ("page", "aff", "gclid", "fbclid", "msclkid")
PASSING_PREFIXES = ("utm_",)


class SortField(forms.ChoiceField):
    """The sort; the old "relevance" is read as "Best match", which it always was."""

    def to_python(self, value):
        value = super().to_python(value)
        return "" if value == SORT_RELEVANCE else value


class ServiceFilterForm(forms.Form):
    """The catalogue's query string: every parameter optional, each validated on its own so
    one bad value does not throw the others away."""

    q = forms.CharField(label="Search", required=False, max_length=200, strip=True)
    category = forms.ModelChoiceField(
        label="Category",
        queryset=Category.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label="All categories",
        error_messages={"invalid_choice": "That category does not exist."},
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any"), *KIND_CHOICES],
        error_messages={"invalid_choice": "Choose one-off, subscription, monthly or yearly."},
    )
    min_price = forms.DecimalField(
        label="Min price",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={"invalid": "Enter a price in pounds, such as 50 or 49.99."},
    )
    max_price = forms.DecimalField(
        label="Max price",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={"invalid": "Enter a price in pounds, such as 50 or 49.99."},
    )
    sort = SortField(
        label="Sort by",
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": "Choose one of the listed ways to sort."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "The page number must be a whole number.",
            "min_value": "The page number must be 1 or more.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("min_price", "max_price"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search", "placeholder": "e.g. newsletter"})

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The maximum price must not be below the minimum price.")
        unknown = self.unknown_params()
        if unknown:
            named = ", ".join(f"“{name}”" for name in unknown)
            known = ", ".join(self.fields[name].label for name in FILTER_FIELDS)
            self.add_error(
                None,
                forms.ValidationError(
                    f"{named} {'is not a filter' if len(unknown) == 1 else 'are not filters'} of ours, "
                    f"so {'it was' if len(unknown) == 1 else 'they were'} not used. The filters are: {known}.",
                    code="unknown_filter",
                ),
            )
        return cleaned

    def unknown_params(self) -> list[str]:
        """Names in the query that are neither a filter nor a parameter that passes through."""
        return sorted(
            name
            for name in self.data
            if name not in self.fields and name not in PASSING_PARAMS and not name.startswith(PASSING_PREFIXES)
        )

    def valid_params(self) -> dict:
        """The values that passed validation (call after is_valid())."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def query_string(self) -> str:
        """The valid filters as a normalised query string, without the page: what page links
        and saved searches keep."""
        params = self.valid_params()
        pairs = []
        for name in FILTER_FIELDS:
            if name not in params:
                continue
            value = params[name]
            if isinstance(value, Category):
                value = value.slug
            pairs.append((name, str(value)))
        return urlencode(pairs)


class CartAddForm(forms.Form):
    plan = forms.IntegerField(min_value=1, error_messages={"invalid": "Choose a plan.", "required": "Choose a plan."})
    # Checked by clean_quantity alone, so every bad value gets the same two messages.
    quantity = forms.CharField(required=False, strip=False)

    def clean_quantity(self):
        if "quantity" not in self.data:
            return 1
        return clean_quantity(self.cleaned_data.get("quantity"))


class CartUpdateForm(forms.Form):
    plan = forms.IntegerField(min_value=1, error_messages={"invalid": "Choose a plan.", "required": "Choose a plan."})
    quantity = forms.CharField(required=False, strip=False)

    def clean_quantity(self):
        return clean_quantity(self.cleaned_data.get("quantity"))


class CartRemoveForm(forms.Form):
    plan = forms.IntegerField(min_value=1, error_messages={"invalid": "Choose a plan.", "required": "Choose a plan."})


class ReviewForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label="Your rating",
        coerce=int,
        choices=[(5, "5 – Excellent"), (4, "4 – Good"), (3, "3 – Fair"), (2, "2 – Poor"), (1, "1 – Very poor")],
        error_messages={"invalid_choice": "Choose a rating from 1 to 5."},
    )

    class Meta:
        model = Review
        fields = ["rating", "title", "body"]
        labels = {"title": "Title", "body": "Your review"}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class SavedSearchForm(forms.ModelForm):
    query = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    class Meta:
        model = SavedSearch
        fields = ["name", "query"]
        labels = {"name": "Name this search"}

    def clean_query(self):
        # Whatever was posted, keep only what the catalogue itself would accept, so a saved
        # link always re-runs a valid search.
        raw = self.cleaned_data.get("query") or ""
        filters = ServiceFilterForm(QueryDict(raw))
        filters.is_valid()
        query = filters.query_string()
        if not query:
            raise forms.ValidationError("Search or choose a filter before saving the search.")
        return query


def first_error(form: forms.Form) -> str:
    """The first error of a form, as one sentence for a flash message."""
    for errors in form.errors.values():
        for error in errors:
            return error
    return "Something in the form was not valid."


class CountryField(forms.ChoiceField):
    """An ISO 3166 code from the list; a posted "gb" is read as "GB"."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CheckoutForm(forms.Form):
    """Billing details for an order. Prices and totals are never fields here (IN-01)."""

    email = EmailAddressField(
        label="Email address",
        help_text="We send the order confirmation and receipt here.",
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
    billing_country = CountryField(
        label="Country",
        choices=[("", "Choose a country"), *COUNTRIES],
        error_messages={
            "required": "Choose the country of the billing address.",
            "invalid_choice": "Choose the country from the list.",
        },
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    vat_number = forms.CharField(
        label="VAT number (businesses, optional)",
        max_length=32,
        required=False,
        help_text="A business outside the UK with a valid VAT or tax number pays no UK VAT (reverse charge).",
    )
    purchase_order = forms.CharField(
        label="Purchase order reference (optional)",
        max_length=64,
        required=False,
        help_text="Printed on your VAT invoice.",
    )
    invoice_email = forms.EmailField(
        label="Send invoices to (optional)",
        required=False,
        help_text="Your accounts department, if not the address you sign in with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    save_address = forms.BooleanField(label="Save this address in my address book", required=False)
    for_someone_else = forms.BooleanField(label="I am buying for someone else", required=False)
    recipient_name = forms.CharField(label="Their name", max_length=150, required=False)
    recipient_email = EmailAddressField(
        label="Their email address",
        required=False,
        help_text="Only used to arrange the service with them.",
    )

    promotion_code = forms.CharField(
        label="Promotion code (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def __init__(self, *args, signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        if signed_in:
            # The order goes to the account's own address.
            del self.fields["email"]
        else:
            del self.fields["save_address"]

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
        if cleaned.get("vat_number") and cleaned.get("billing_country"):
            try:
                cleaned["vat_number"] = vat.vat_number_clean(cleaned["vat_number"], country=cleaned["billing_country"])
            except ValidationError as exc:
                self.add_error("vat_number", exc)
        return cleaned

    def clean_promotion_code(self):
        # Whether the code may be used is shop.promotions' question, asked with the cart.
        return self.cleaned_data["promotion_code"].strip().upper()

    def billing(self):
        data = self.cleaned_data
        billing = {
            key: data.get(f"billing_{key}", "").strip()
            for key in ("name", "company", "line1", "line2", "city", "postcode", "country")
        }
        for key in ("vat_number", "purchase_order", "invoice_email"):
            billing[key] = (data.get(key) or "").strip()
        return billing

    def recipient(self):
        return {
            "name": self.cleaned_data.get("recipient_name", ""),
            "email": self.cleaned_data.get("recipient_email", ""),
        }


class OrderLookupForm(forms.Form):
    number = forms.CharField(
        label="Order number", max_length=20, help_text="It starts with KG-, as in your confirmation email."
    )
    email = EmailAddressField(label="Email address used for the order")
