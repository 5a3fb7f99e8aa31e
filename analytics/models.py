"""Page views (P01): what was visited, when, how fast, from which kind of browser.

No full IP address, query string, referrer path or raw user agent is ever stored: the IP is
truncated before it leaves the request (``analytics.records.truncate_ip``), the page is the
path without its query, the referrer only its domain, and the browser its family, major
version and device class.
"""

from django.conf import settings
from django.db import models

from analytics.querysets import PageViewQuerySet


class PageView(models.Model):
    class Device(models.TextChoices):
        DESKTOP = "desktop", "Desktop"
        MOBILE = "mobile", "Mobile"
        TABLET = "tablet", "Tablet"
        OTHER = "other", "Other"

    viewed_at = models.DateTimeField(db_index=True)
    #: The path without its query string; for pages whose URL carries a token, the route's
    #: pattern instead (``/privacy/request/verify/<token>/``), so no secret is kept.
    path = models.CharField(max_length=200)
    #: The URL name (``shop:service_detail``), "" for a page no route matched.
    route = models.CharField(max_length=100, blank=True)
    status_code = models.PositiveSmallIntegerField()
    #: Time the site took to build the response, in milliseconds.
    response_ms = models.PositiveIntegerField()
    browser = models.CharField(max_length=50, blank=True)
    browser_version = models.CharField(max_length=10, blank=True)
    device = models.CharField(max_length=10, choices=Device.choices, default=Device.OTHER)
    referrer_domain = models.CharField(max_length=253, blank=True)
    #: IPv4 with the last octet zeroed, IPv6 with the last 80 bits zeroed.
    ip_prefix = models.GenericIPAddressField(null=True, blank=True)
    #: Set only with analytics-cookie consent and no restriction of analytics (P23).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="page_views"
    )

    objects = PageViewQuerySet.as_manager()

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["path", "viewed_at"], name="analytics_path_viewed")]
        verbose_name = "page view"
        verbose_name_plural = "page views"

    def __str__(self):
        return f"{self.path} at {self.viewed_at:%Y-%m-%d %H:%M}"
