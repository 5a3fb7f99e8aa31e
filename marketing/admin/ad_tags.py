"""Advertising tags (P07): staff add the broadcaster's snippets; the site renders them only
with advertising consent (see marketing.selectors.ad_tags)."""

from django.contrib import admin

from marketing.models import AdTag


@admin.register(AdTag)
class AdTagAdmin(admin.ModelAdmin):
    list_display = ("name", "placement", "is_active", "updated_at")
    list_filter = ("placement", "is_active")
    search_fields = ("name",)
    fields = ("name", "placement", "is_active", "snippet")
