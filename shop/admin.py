from django.contrib import admin, messages

from shop import services
from shop.models import Invoice, Order, OrderEvent, OrderLine, StripeEvent, Subscription


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
class OrderAdmin(admin.ModelAdmin):
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


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = ["number", "status", "amount", "currency", "period_end", "hosted_invoice_url", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
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
