from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from shop.models import Category, ConsultationRequest, Plan, Review, Service
from shop.services import consultation_request_set_status, review_moderate

# --- catalogue and consultations ------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    fields = ["name", "slug", "description", "position", "is_active"]
    list_display = ["name", "slug", "position", "is_active", "service_count"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(service_total=Count("services"))

    @admin.display(description="services", ordering="service_total")
    def service_count(self, obj):
        return obj.service_total


class PlanInline(admin.TabularInline):
    model = Plan
    fields = ["name", "billing", "price", "stock", "position", "is_active", "features"]
    extra = 0
    min_num = 1
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "features":
            field.widget.attrs.update(rows=3, cols=24)
        return field


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    fields = ["category", "name", "slug", "summary", "description", "image", "is_active"]
    list_display = ["name", "category", "plan_count", "is_active", "updated_at"]
    list_filter = ["category", "is_active"]
    list_select_related = ["category"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlanInline]
    save_on_top = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80, "maxlength": 300})
        elif db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 12, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_total=Count("plans"))

    @admin.display(description="plans", ordering="plan_total")
    def plan_count(self, obj):
        return obj.plan_total


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    fields = ["service", "name", "billing", "price", "features", "stock", "position", "is_active"]
    list_display = ["name", "service", "billing", "price", "stock", "is_active"]
    list_filter = ["billing", "is_active", "service__category"]
    list_select_related = ["service"]
    search_fields = ["name", "service__name"]
    autocomplete_fields = ["service"]


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    """P37: staff answer consultation requests and record where each one stands."""

    fields = ["status", "name", "email", "phone", "company", "message", "user", "created_at"]
    autocomplete_fields = ["user"]
    list_display = ["name", "email", "company", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["name", "email", "company"]
    date_hierarchy = "created_at"
    actions = ["mark_contacted", "mark_closed"]

    def get_readonly_fields(self, request, obj=None):
        # Staff may log a request taken by phone, but never rewrite what a customer sent.
        if obj is None:
            return ["created_at"]
        return ["name", "email", "phone", "company", "message", "user", "created_at"]

    @admin.action(description="Mark selected requests as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, ConsultationRequest.Status.CONTACTED)

    @admin.action(description="Close selected requests", permissions=["change"])
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, ConsultationRequest.Status.CLOSED)

    def _set_status(self, request, queryset, status):
        changed = consultation_request_set_status(consultation_requests=queryset, status=status)
        label = ConsultationRequest.Status(status).label.lower()
        self.message_user(request, f"{changed} request(s) marked as {label}.", messages.SUCCESS)


# --- end of catalogue and consultations ------------------------------------------------


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "service", "user", "rating", "status", "created_at", "moderated_at"]
    list_filter = ["status", "rating", "service__category"]
    list_select_related = ["service", "user"]
    search_fields = ["title", "body", "service__name", "user__email"]
    readonly_fields = ["service", "user", "rating", "title", "body", "created_at", "moderated_at", "moderated_by"]
    fields = ["service", "user", "rating", "title", "body", "status", "created_at", "moderated_at", "moderated_by"]
    date_hierarchy = "created_at"
    actions = ["approve_reviews", "reject_reviews"]

    def has_add_permission(self, request):
        # Reviews come from customers who bought the service, never from staff.
        return False

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            review_moderate(review=obj, status=obj.status, moderator=request.user)
        else:
            super().save_model(request, obj, form, change)

    def _moderate(self, request, queryset, status, verb):
        count = 0
        for review in queryset:
            review_moderate(review=review, status=status, moderator=request.user)
            count += 1
        self.message_user(request, f"{verb} {count} review{'s' if count != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Publish the selected reviews", permissions=["change"])
    def approve_reviews(self, request, queryset):
        self._moderate(request, queryset, Review.Status.APPROVED, "Published")

    @admin.action(description="Reject the selected reviews", permissions=["change"])
    def reject_reviews(self, request, queryset):
        self._moderate(request, queryset, Review.Status.REJECTED, "Rejected")
