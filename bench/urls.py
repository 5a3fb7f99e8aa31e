"""The site's URLs plus a bare view: the ceiling every page is compared against."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), path("", include("kinetogram.urls"))]
