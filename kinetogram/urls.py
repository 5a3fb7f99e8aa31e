from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.urls import urlpatterns as account_pages
from kinetogram import views
from marketing.urls import account_urlpatterns as preference_pages

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The account area: accounts' pages and marketing's preference centre, one namespace.
    path("account/", include((account_pages + preference_pages, "accounts"))),
    path("", include("marketing.urls")),
    path("privacy/", include("privacy.urls")),
    path("contests/", include("contests.urls")),
    path("surveys/", include("contests.survey_urls")),
    path("invoices/", include("billing.urls")),
    # The email provider's tracking and inbound webhooks, behind ANYMAIL_WEBHOOK_SECRET basic auth.
    path("anymail/", include("anymail.urls")),
    path("", include("shop.urls")),
]

if settings.SERVE_MEDIA:
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
