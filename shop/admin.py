from django.contrib import admin, messages

from shop.models import Review
from shop.services import review_moderate


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
