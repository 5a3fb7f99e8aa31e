from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """200 when the database (and the broker and the shared cache, when configured) answer;
    503 naming the one that does not."""
    checks = {"database": _database_state()}
    ping = getattr(caches["default"], "ping", None)
    if ping is not None:
        # The shared cache hides its own outage from pages (kinetogram.cache); not from here.
        checks["cache"] = _cache_state(ping)
    broker = settings.CELERY_BROKER_URL
    if broker and not broker.startswith("memory://"):
        checks["broker"] = _broker_state(broker)
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; details go to the log, not the page
        return "error"
    return "ok"


def _cache_state(ping):
    try:
        ping()
    except Exception:
        return "error"
    return "ok"


def _broker_state(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception:
        return "error"
    return "ok"


def csrf_failure(request, reason=""):
    """Django's CSRF refusal page, told whether the browser sent no cookie at all: then it
    explains that a purchase needs first-party cookies rather than calling it an error (P32)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE
    from django.shortcuts import render

    return render(request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403)
