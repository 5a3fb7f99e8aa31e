import csv
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from billing import selectors as billing_selectors
from billing import services as billing_services
from billing.exceptions import RefundRefused
from billing.forms import RefundForm
from privacy.admin_mixins import MaskedPersonalDataMixin, PersonalDataAdminMixin
from shop import (
    admin_promotions,  # noqa: F401 - registers the promotion code admin
    payments,
    refunds,
    selectors,
    services,
)
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
    # VAT and business details, and the VAT invoices, credit notes and refund button (billing).
    readonly_fields += [
        "net_total", "vat_total", "vat_rate", "vat_treatment", "vat_number", "purchase_order", "invoice_email",
        "vat_documents",
    ]  # fmt: skip
    fields += readonly_fields[-8:]

    @admin.display(description="VAT invoices and credit notes")
    def vat_documents(self, obj):
        documents = billing_selectors.documents_for_order(order=obj)
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a> (£{})',
            ((reverse("admin:billing_taxinvoice_pdf", args=[d.pk]), d.number, d.gross_total) for d in documents),
        )
        refund = format_html(
            ' · <a class="button" href="{}">Refund…</a>', reverse("admin:shop_order_refund", args=[obj.pk])
        )
        return format_html("{}{}", links or "none yet", refund)

    def get_urls(self):
        refund = path("<int:pk>/refund/", self.admin_site.admin_view(self.refund_view), name="shop_order_refund")
        figures = path("figures/", self.admin_site.admin_view(self.figures_view), name="shop_order_figures")
        return [refund, figures, *super().get_urls()]

    def figures_view(self, request):
        """Net sales, refunds, subscriptions started and ended per month, and the MRR; CSV
        with ?format=csv. Staff who may view orders see it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        figures = selectors.business_figures(today=timezone.localdate())
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="business-figures.csv"'
            writer = csv.writer(response)
            writer.writerow(["month", "net_sales", "refunds", "new_subscriptions", "ended_subscriptions"])
            for row in figures.months:
                writer.writerow(
                    [f"{row.month:%Y-%m}", row.net_sales, row.refunds, row.new_subscriptions, row.ended_subscriptions]
                )
            return response
        peak = max([row.net_sales for row in figures.months] + [Decimal("1")])
        bars = []
        for i, row in enumerate(figures.months):
            height = int(max(row.net_sales, Decimal("0")) * 160 / peak)
            bars.append({"row": row, "x": 10 + i * 46, "y": 170 - height, "height": height})
        context = {
            **self.admin_site.each_context(request),
            "title": "Business figures",
            "figures": figures,
            "bars": bars,
            "chart_width": 10 + len(bars) * 46,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/shop/figures.html", context)

    def refund_view(self, request, pk):
        """Refund an order fully or in part (billing.refund_order): one service call."""
        if not request.user.has_perm("billing.refund_order"):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        form = RefundForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    refund = refunds.order_refund(
                        order=order,
                        amount=form.cleaned_data["amount"],
                        reason=form.cleaned_data["reason"],
                        user=request.user,
                    )
                except RefundRefused as exc:
                    form.add_error(None, str(exc))
                except payments.PaymentError:
                    form.add_error(None, "Stripe did not make the refund; nothing was refunded. Try again later.")
                else:
                    note = refund.credit_note.number if refund.credit_note_id else "none"
                    self.message_user(request, f"Refunded £{refund.amount}; credit note {note}.", messages.SUCCESS)
                    return redirect("admin:shop_order_change", order.pk)
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order.number}",
            "order": order,
            "form": form,
            "refundable": billing_services.refundable_amount(order),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/shop/order/refund.html", context, status=status)

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


def _renew_demo(modeladmin, request, queryset, *, paid):
    from shop.services_subscriptions import subscription_renew_demo

    done, refused = 0, []
    for subscription in queryset.select_related("order", "scheduled_plan"):
        try:
            subscription_renew_demo(subscription=subscription, paid=paid)
            done += 1
        except services.CheckoutRefused as exc:
            refused.append(f"{subscription}: {exc}")
    if done:
        outcome = "paid" if paid else "failed (the customer is emailed; it ends after the configured tries)"
        modeladmin.message_user(request, f"{done} renewal(s) {outcome}.", messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.WARNING)


@admin.action(description="Demo payments: renew now, paid")
def renew_demo_paid(modeladmin, request, queryset):
    _renew_demo(modeladmin, request, queryset, paid=True)


@admin.action(description="Demo payments: renew now, card declined")
def renew_demo_failed(modeladmin, request, queryset):
    _renew_demo(modeladmin, request, queryset, paid=False)


@admin.register(Subscription)
class SubscriptionAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = [
        "service_name", "plan_name", "user", "status", "current_period_end", "cancel_at_period_end",
        "failed_payment_attempts", "ended_reason",
    ]  # fmt: skip
    list_filter = ["status", "ended_reason", "billing", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_subscription_id", "order__number"]
    list_select_related = ["user"]
    inlines = [InvoiceInline]
    actions = [renew_demo_paid, renew_demo_failed]
    readonly_fields = [
        "user", "order", "plan", "service_name", "plan_name", "billing", "unit_price", "quantity", "status",
        "stripe_subscription_id", "current_period_end", "cancel_at_period_end", "canceled_at", "created_at",
        "scheduled_plan", "failed_payment_attempts", "ended_reason",
    ]  # fmt: skip
    fields = readonly_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not payments.get_gateway().is_demo:
            # With Stripe, renewals happen at Stripe and reach us as events.
            actions.pop("renew_demo_paid", None)
            actions.pop("renew_demo_failed", None)
        return actions

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
