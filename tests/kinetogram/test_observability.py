"""Logs with a request id, Prometheus metrics behind a token, and the Procfile `make serve` runs."""

import json
import logging
from pathlib import Path

import pytest
import structlog

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    client.get("/privacy/")  # one request for the counters
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


@pytest.mark.django_db
def test_lg05_json_log_lines_carry_the_request_id_and_escape_forged_lines(client, settings, monkeypatch):
    from django.conf import settings as live

    formatter = logging.config.dictConfigClass({**live.LOGGING}).configure_formatter(live.LOGGING["formatters"]["json"])
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(formatter.format(record))

    handler = Capture(level=logging.INFO)
    logger = logging.getLogger("shop")
    logger.addHandler(handler)
    try:
        # The order lookup logs nothing by itself; log from inside a request as a view would.
        from django_structlog import middlewares

        def view_logging(request):
            logging.getLogger("shop.views").warning("lookup for %s", "evil\nFAKE line\x1b[31m")
            from django.http import HttpResponse

            return HttpResponse("ok")

        middleware = middlewares.RequestMiddleware(view_logging)
        from django.test import RequestFactory

        middleware(RequestFactory().get("/orders/lookup/"))
    finally:
        logger.removeHandler(handler)
        structlog.contextvars.clear_contextvars()
    assert len(lines) == 1 and "\n" not in lines[0]
    record = json.loads(lines[0])
    assert record["event"] == "lookup for evil\nFAKE line\x1b[31m"  # one value, escaped in the line
    assert record["request_id"] and record["level"] == "warning" and record["timestamp"].endswith("Z")


def test_procfile_runs_the_web_a_worker_and_beat_and_checks_before_release():
    processes = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and ": " in line
    )
    assert set(processes) == {"release", "web", "worker", "beat"}
    assert processes["web"].startswith("gunicorn kinetogram.wsgi")
    assert "check --deploy" in processes["release"] and "migrate" in processes["release"]
    assert "%(h)s" not in processes["web"]  # access logs keep no client address
    makefile = (ROOT / "Makefile").read_text()
    assert "honcho start -f Procfile web worker beat" in makefile
