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


def csrf_failure(request, reason=""):
    """Django's CSRF refusal page, told whether the browser sent no cookie at all: then it
    explains that a purchase needs first-party cookies rather than calling it an error (P32)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE
    from django.shortcuts import render

    return render(request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403)
