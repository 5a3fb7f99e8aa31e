"""What the page-view middleware costs a request, against a bare view in the same run (P01).

    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/<n> .venv/bin/python bench/analytics.py [--requests 3000]

Serves a bare view through the full middleware stack twice, with the analytics middleware
and without it, alternating rounds so both see the same machine, and prints the median per
request and the difference. With REDIS_URL the record goes to the Redis list (one RPUSH);
without, to the process's memory. Figures, not assertions.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from analytics.buffer import buffer

    call_command("migrate", verbosity=0)
    without = [m for m in settings.MIDDLEWARE if m != "analytics.middleware.PageViewMiddleware"]
    # A huge flush threshold: the bench measures the request, not a flush after it.
    common = {
        "ROOT_URLCONF": "bench.urls",
        "ALLOWED_HOSTS": ["testserver"],
        "DEBUG": False,
        "ANALYTICS_MEMORY_FLUSH_RECORDS": 10**9,
        "ANALYTICS_MEMORY_FLUSH_SECONDS": 10**9,
        "ANALYTICS_MEMORY_MAX_RECORDS": 10**7,
    }
    results = {"with analytics": [], "without analytics": []}
    for _ in range(args.rounds):
        for name, middleware in (("with analytics", settings.MIDDLEWARE), ("without analytics", without)):
            with override_settings(MIDDLEWARE=middleware, **common):
                # A client builds its middleware chain on its first request: one per setting.
                client = Client(HTTP_USER_AGENT=FIREFOX, HTTP_REFERER="https://www.example.org/post")
                for _ in range(50):
                    client.get("/bench/bare/")
                timings = []
                for _ in range(args.requests):
                    start = time.perf_counter()
                    client.get("/bench/bare/")
                    timings.append((time.perf_counter() - start) * 1000)
                results[name].append(statistics.median(timings))
    where = "Redis list" if buffer.redis_size() else f"process memory ({buffer.memory_size()} records)"
    buffer.clear()
    with_ms = statistics.median(results["with analytics"])
    without_ms = statistics.median(results["without analytics"])
    print(f"buffer: {where}; {args.rounds} rounds of {args.requests} requests each way")
    print(f"{'bare view':<22}{'median ms':>10}")
    print(f"{'without analytics':<22}{without_ms:>10.3f}")
    print(f"{'with analytics':<22}{with_ms:>10.3f}")
    print(f"{'cost per request':<22}{with_ms - without_ms:>10.3f}")


if __name__ == "__main__":
    main()
