"""Processors (P08) and disclosures to authorities (P09) in the admin."""

from django import forms
from django.contrib import admin
from django.urls import path

from privacy.admin.record import record_of_processing_view
from privacy.admin_mixins import PersonalDataAdminMixin
from privacy.models import Disclosure, Processor
from privacy.registry import Category
from privacy.services import disclosure_record


class CategoriesField(forms.MultipleChoiceField):
    """The registry's data categories as checkboxes, stored as a list of keys."""

    def __init__(self, **kwargs):
        super().__init__(choices=Category.choices, widget=forms.CheckboxSelectMultiple, **kwargs)


class ProcessorForm(forms.ModelForm):
    categories = CategoriesField(help_text="The kinds of personal data this provider receives.")

    class Meta:
        model = Processor
        fields = [
            "name",
            "kind",
            "categories",
            "purpose",
            "location",
            "contract_date",
            "safeguards_confirmed_on",
            "is_active",
        ]


class DisclosureForm(forms.ModelForm):
    categories = CategoriesField(help_text="The kinds of personal data disclosed.")

    class Meta:
        model = Disclosure
        fields = [
            "recipient",
            "reference",
            "legal_basis",
            "disclosed_on",
            "categories",
            "notes",
            "subject",
            "subject_description",
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("subject") and not cleaned.get("subject_description", "").strip():
            raise forms.ValidationError(
                "Say whom the disclosure concerns: choose their account, or describe them by a reference.",
                code="no_subject",
            )
        return cleaned


def _category_labels(keys):
    return ", ".join(str(Category(key).label) if key in Category.values else key for key in keys) or "—"


@admin.register(Processor)
class ProcessorAdmin(admin.ModelAdmin):
    form = ProcessorForm
    list_display = [
        "name", "kind", "category_list", "location", "contract_date", "safeguards_confirmed_on", "is_active",
    ]  # fmt: skip
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "purpose", "location"]
    fields = [
        "name", "kind", "categories", "purpose", "location", "contract_date", "safeguards_confirmed_on", "is_active",
    ]  # fmt: skip

    @admin.display(description="data categories")
    def category_list(self, obj):
        return _category_labels(obj.categories)

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: record_of_processing_view(self.admin_site, request))
        return [path("record-of-processing/", view, name="privacy_record_of_processing"), *super().get_urls()]


@admin.register(Disclosure)
class DisclosureAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    form = DisclosureForm
    # The addition is audited by disclosure_record as "disclose".
    audit_additions = False
    list_display = ["disclosed_on", "recipient", "legal_basis", "category_list", "whom", "recorded_by"]
    list_filter = ["disclosed_on", "recipient"]
    list_select_related = ["subject", "recorded_by"]
    search_fields = ["recipient", "reference", "legal_basis"]
    date_hierarchy = "disclosed_on"
    autocomplete_fields = ["subject"]
    fieldsets = [
        ("To whom and why", {"fields": ["recipient", "reference", "legal_basis", "disclosed_on"]}),
        ("What", {"fields": ["categories", "notes"]}),
        (
            "Whom it concerns",
            {
                "fields": ["subject", "subject_description"],
                "description": "Choose the customer's account, or describe the person by a reference "
                "when they have none.",
            },
        ),
        ("Record", {"fields": ["recorded_by", "created_at"]}),
    ]
    readonly_fields = ["recorded_by", "created_at"]

    @admin.display(description="data categories")
    def category_list(self, obj):
        return _category_labels(obj.categories)

    @admin.display(description="whom it concerns")
    def whom(self, obj):
        return f"customer #{obj.subject_id}" if obj.subject_id else obj.subject_description

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            disclosure_record(disclosure=obj, recorded_by=request.user)

    def has_delete_permission(self, request, obj=None):
        # A record of what was disclosed is kept for its retention period (P09, P10).
        return False
