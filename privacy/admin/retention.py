"""Restrictions (P23), purge runs and the "held past retention" report (P10) in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from privacy import services
from privacy.admin_mixins import PersonalDataAdminMixin
from privacy.models import PurgeRun, Restriction
from privacy.selectors.retention import held_past_retention


def _held_last(counts: dict) -> list[tuple[str, int]]:
    # PostgreSQL's jsonb does not keep key order: what was done first, then what was held.
    return sorted(counts.items(), key=lambda item: (item[0] == "held", item[0]))


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.exclude(pk__in=Restriction.objects.active().values("pk"))
        return queryset


class RestrictionForm(forms.ModelForm):
    class Meta:
        model = Restriction
        fields = ["user", "email", "scope", "reason", "review_on"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not data.get("user") and not data.get("email"):
            # On the field, not the form: a field in error keeps the model's own check of the
            # same rule (restriction_has_subject) from repeating it as a raw constraint name.
            self.add_error("user", "Choose the customer's account or give the email address of a person without one.")
        review_on = data.get("review_on")
        if review_on and review_on < timezone.localdate():
            self.add_error("review_on", "The review date cannot be in the past.")
        return data


@admin.register(Restriction)
class RestrictionAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    form = RestrictionForm
    # Opening a restriction is audited by the mixin (LG-01); restriction_create and
    # restriction_review audit the additions and changes themselves.
    audit_additions = False
    list_display = ["__str__", "who", "scope", "starts_at", "review_on", "ended_at", "is_active_display"]
    list_filter = [ActiveFilter, "scope", "review_on"]
    search_fields = ["user__email", "email"]
    date_hierarchy = "review_on"
    ordering = ["review_on", "-starts_at"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["end_restrictions"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "email", "scope", "reason", "review_on"]
        return ["user", "email", "scope", "reason", "review_on", "starts_at", "ended_at", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Who and what scope are the restriction itself: end it and create another to change them.
        return ["user", "email", "scope", "starts_at", "ended_at", "created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="person")
    def who(self, obj):
        return obj.user.email if obj.user_id else obj.email

    @admin.display(description="active", boolean=True)
    def is_active_display(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.restriction_review(
                restriction=obj, review_on=data["review_on"], reason=data["reason"], changed_by=request.user
            )
            return
        created = services.restriction_create(
            user=data.get("user"),
            email=data.get("email", ""),
            scope=data["scope"],
            reason=data["reason"],
            review_on=data["review_on"],
            created_by=request.user,
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        admin.ModelAdmin.save_related(self, request, form, formsets, change)

    @admin.action(description="End the selected restrictions", permissions=["change"])
    def end_restrictions(self, request, queryset):
        ended = 0
        for restriction in queryset.filter(ended_at=None):
            services.restriction_end(restriction=restriction, ended_by=request.user)
            ended += 1
        self.message_user(request, f"{ended} restriction(s) ended.", messages.SUCCESS)


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "dry_run", "counts_display", "total", "finished_at"]
    list_filter = ["status", "dry_run"]
    fields = ["started_at", "finished_at", "status", "dry_run", "counts_display", "error"]
    readonly_fields = fields
    date_hierarchy = "started_at"
    change_list_template = "admin/privacy/purgerun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="per model")
    def counts_display(self, obj):
        if not obj.counts:
            return "nothing past retention"
        return format_html(
            "<ul class='kg-counts'>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {}</li>",
                (
                    (label, ", ".join(f"{name} {number:,}" for name, number in _held_last(counts)))
                    for label, counts in obj.counts.items()
                ),
            ),
        )

    def get_urls(self):
        report = self.admin_site.admin_view(self.held_report_view)
        return [path("held/", report, name="privacy_held_report"), *super().get_urls()]

    def held_report_view(self, request):
        """The people whose rows are past retention but held by a restriction (P23)."""
        # admin_view() has already sent anyone who is not active staff to the login page.
        if not self.has_view_permission(request):
            raise PermissionDenied
        people = held_past_retention()
        context = {
            **self.admin_site.each_context(request),
            "title": "Held past retention",
            "opts": self.model._meta,
            "people": people,
            "restriction_url": reverse("admin:privacy_restriction_changelist"),
        }
        return TemplateResponse(request, "admin/privacy/held_report.html", context)
