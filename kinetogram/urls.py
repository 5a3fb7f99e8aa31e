from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kinetogram import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("privacy/", include("privacy.urls")),
    # The email provider's tracking and inbound webhooks, behind ANYMAIL_WEBHOOK_SECRET basic auth.
    path("anymail/", include("anymail.urls")),
    path("", include("marketing.urls")),
    path("", include("shop.urls")),
]

if settings.SERVE_MEDIA:
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
