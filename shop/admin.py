from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from privacy.admin_mixins import MaskedPersonalDataMixin, PersonalDataAdminMixin
from shop import services
from shop.models import (
    Category,
    ConsultationRequest,
    Invoice,
    Order,
    OrderEvent,
    OrderLine,
    Plan,
    Review,
    Service,
    StripeEvent,
    Subscription,
)
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
class ConsultationRequestAdmin(MaskedPersonalDataMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    """P37: staff answer consultation requests and record where each one stands."""

    masked_fields = ("phone",)

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
class ReviewAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
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


# --- orders, subscriptions and payments -----------------------------------------------
class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["service_name", "plan_name", "billing", "unit_price", "quantity", "line_total"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderEventInline(admin.TabularInline):
    """The order's timeline."""

    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "status", "note"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False


def _move_orders(modeladmin, request, queryset, status, label):
    moved, refused = 0, []
    for order in queryset:
        try:
            services.order_set_status(order=order, status=status, note=f"Marked {label} by staff")
            moved += 1
        except services.IllegalTransition:
            refused.append(order.number)
    if moved:
        modeladmin.message_user(request, f"{moved} order(s) marked {label}.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(
            request, f"Not allowed from their current status: {', '.join(refused)}.", messages.WARNING
        )


@admin.action(description="Mark selected orders in progress")
def mark_in_progress(modeladmin, request, queryset):
    _move_orders(modeladmin, request, queryset, Order.Status.IN_PROGRESS, "in progress")


@admin.action(description="Mark selected orders delivered")
def mark_delivered(modeladmin, request, queryset):
    _move_orders(modeladmin, request, queryset, Order.Status.DELIVERED, "delivered")


@admin.register(Order)
class OrderAdmin(MaskedPersonalDataMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    masked_fields = ("billing_line1", "billing_line2", "billing_city", "billing_postcode")
    list_display = ["number", "email", "status", "mode", "total", "created_at", "paid_at"]
    list_filter = ["status", "mode", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "email"]
    date_hierarchy = "created_at"
    list_select_related = True
    inlines = [OrderLineInline, OrderEventInline]
    actions = [mark_in_progress, mark_delivered]
    # Status moves only through the actions, so the state machine and the timeline hold.
    readonly_fields = [
        "number", "user", "email", "status", "mode", "currency", "total", "created_at", "paid_at",
        "stripe_checkout_session_id", "stripe_payment_intent_id", "stripe_customer_id", "card_brand", "card_last4",
    ]  # fmt: skip
    fields = readonly_fields + [
        "billing_name", "billing_company", "billing_line1", "billing_line2", "billing_city", "billing_postcode",
        "billing_country", "recipient_name", "recipient_email",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Orders are accounting records kept for the tax authorities; they end as
        # cancelled or refunded, never deleted.
        return False


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = ["number", "status", "amount", "currency", "period_end", "hosted_invoice_url", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["service_name", "plan_name", "user", "status", "current_period_end", "cancel_at_period_end"]
    list_filter = ["status", "billing", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_subscription_id", "order__number"]
    list_select_related = ["user"]
    inlines = [InvoiceInline]
    readonly_fields = [
        "user", "order", "plan", "service_name", "plan_name", "billing", "unit_price", "quantity", "status",
        "stripe_subscription_id", "current_period_end", "cancel_at_period_end", "canceled_at", "created_at",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False


@admin.action(description="Process selected events again")
def process_again(modeladmin, request, queryset):
    count = 0
    for event in queryset:
        services.stripe_event_reprocess(event=event)
        count += 1
    modeladmin.message_user(request, f"{count} event(s) queued for processing.", messages.SUCCESS)


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "status", "attempts", "received_at", "processed_at", "error"]
    list_filter = ["type", "status", "livemode"]
    search_fields = ["event_id", "object_id"]
    actions = [process_again]
    readonly_fields = [
        "event_id", "type", "object_id", "livemode", "status", "attempts", "error", "stripe_created_at",
        "received_at", "processed_at",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
