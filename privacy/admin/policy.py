"""Policy versions in the staff admin (P35): published through the service, then read-only."""

from django import forms
from django.contrib import admin

from privacy.models import PolicyVersion
from privacy.services import policy_version_publish
from privacy.services.policy import policy_version_problems


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["version", "effective_date", "summary", "is_material"]

    def clean(self):
        cleaned_data = super().clean()
        version, effective_date = cleaned_data.get("version"), cleaned_data.get("effective_date")
        if version and effective_date:
            for field, message in policy_version_problems(version=version, effective_date=effective_date).items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned_data


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ["version", "effective_date", "is_material", "summary"]
    list_filter = ["is_material"]
    search_fields = ["version", "summary"]
    date_hierarchy = "effective_date"

    def get_readonly_fields(self, request, obj=None):
        # A published version is what customers were shown and what consents refer to:
        # it is never edited; a correction is a new version.
        if obj is not None:
            return ["version", "effective_date", "summary", "is_material", "created_at"]
        return []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = policy_version_publish(
            version=form.cleaned_data["version"],
            effective_date=form.cleaned_data["effective_date"],
            summary=form.cleaned_data["summary"],
            is_material=form.cleaned_data["is_material"],
            published_by=request.user,
        )
        # The admin's log entry and redirect use the object it passed in.
        obj.pk = published.pk
        obj.created_at = published.created_at
