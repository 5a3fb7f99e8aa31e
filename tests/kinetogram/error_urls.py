"""The site's URLs plus views that fail on purpose, for the error page tests only."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from kinetogram.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret internal detail: db password is hunter2")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise SuspiciousOperation("tampered input")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/bad/", bad),
    *site_urlpatterns,
]
