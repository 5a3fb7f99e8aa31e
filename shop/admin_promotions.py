"""Promotion codes in the admin: staff create them; redemptions are read only."""

from django import forms
from django.contrib import admin

from privacy.admin_mixins import PersonalDataAdminMixin
from shop.models import PromotionCode, PromotionRedemption
from shop.promotions import CODE_PATTERN, normalise_code, promotion_describe


class PromotionCodeForm(forms.ModelForm):
    class Meta:
        model = PromotionCode
        fields = [
            "code", "description", "is_active", "kind", "percent_off", "amount_off", "duration",
            "duration_in_months", "first_order_only", "once_per_customer", "starts_at", "ends_at",
            "max_redemptions", "plans", "services",
        ]  # fmt: skip

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError("Use 2 to 40 letters, digits and dashes, starting with a letter or digit.")
        return code

    def clean(self):
        cleaned = super().clean()
        kind, duration = cleaned.get("kind"), cleaned.get("duration")
        if kind == PromotionCode.Kind.PERCENT:
            if cleaned.get("percent_off") is None:
                self.add_error("percent_off", "Enter the percentage off.")
            cleaned["amount_off"] = None
        elif kind == PromotionCode.Kind.AMOUNT:
            if cleaned.get("amount_off") is None:
                self.add_error("amount_off", "Enter the amount off.")
            cleaned["percent_off"] = None
        if duration == PromotionCode.Duration.REPEATING and not cleaned.get("duration_in_months"):
            self.add_error("duration_in_months", "Enter for how many months the discount lasts.")
        if duration == PromotionCode.Duration.ONCE:
            cleaned["duration_in_months"] = None
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must come after the start.")
        maximum = cleaned.get("max_redemptions")
        if maximum is not None and self.instance.pk and maximum < self.instance.times_redeemed:
            self.add_error("max_redemptions", f"It has already been used {self.instance.times_redeemed} times.")
        return cleaned


class PromotionRedemptionInline(admin.TabularInline):
    model = PromotionRedemption
    extra = 0
    can_delete = False
    fields = ["order", "email", "subtotal", "discount", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PromotionCode)
class PromotionCodeAdmin(admin.ModelAdmin):
    form = PromotionCodeForm
    list_display = ["code", "discount", "starts_at", "ends_at", "times_redeemed", "max_redemptions", "is_active"]
    list_filter = ["is_active", "kind", "duration", "first_order_only"]
    search_fields = ["code", "description"]
    filter_horizontal = ["plans", "services"]
    readonly_fields = ["times_redeemed", "created_at"]
    inlines = [PromotionRedemptionInline]

    @admin.display(description="discount")
    def discount(self, obj):
        return promotion_describe(obj)

    def has_delete_permission(self, request, obj=None):
        # A code that was used stays, with its redemptions (they belong to orders): switch it off instead.
        return obj is None or not obj.redemptions.exists()


@admin.register(PromotionRedemption)
class PromotionRedemptionAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["promotion", "order", "email", "discount", "created_at"]
    list_filter = ["promotion"]
    list_select_related = ["promotion", "order"]
    search_fields = ["promotion__code", "order__number", "email"]
    fields = ["promotion", "order", "user", "email", "subtotal", "discount", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
