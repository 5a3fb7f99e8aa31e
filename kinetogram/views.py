from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from health_check.views import HealthCheckView

from kinetogram.health import health_checks


class HealthView(HealthCheckView):
    """``/healthz``: 200 when every check passes, 503 naming what failed (JSON with
    ``?format=json`` or ``Accept: application/json``). The checks are kinetogram.health's."""

    http_method_names = ["get", "head", "options"]

    def get_checks(self):
        yield from health_checks()

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:  # a dependency is down: the service is unavailable
            response.status_code = 503
        return response


healthz = HealthView.as_view()


@require_GET
def metrics(request):
    """Prometheus metrics (django-prometheus) for a scraper holding ``METRICS_TOKEN``; 404
    where no token is configured, 401 for a missing or wrong one."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    supplied = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not constant_time_compare(supplied, token):
        return HttpResponse("A bearer token is required.", status=401, headers={"WWW-Authenticate": "Bearer"})
    return ExportToDjangoView(request)


def csrf_failure(request, reason=""):
    """Django's CSRF refusal page, told whether the browser sent no cookie at all: then it
    explains that a purchase needs first-party cookies rather than calling it an error (P32)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE
    from django.shortcuts import render

    return render(request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403)
