"""Time the shop's main pages in-process against a bare Django view, in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/pages.py [--requests 200]

Creates (or reuses) the demo data, then for each page prints the median and p95 time per
request, the queries it runs, and its ratio to the bare view. Figures, not assertions:
compare runs on the same machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    from accounts.models import User

    customer = User.objects.filter(is_staff=False, orders__isnull=False).distinct().first()
    anonymous, signed_in = Client(), Client()
    if customer:
        signed_in.force_login(customer)
    pages = [
        ("bare view", anonymous, "/bench/bare/"),
        ("home", anonymous, "/"),
        ("catalogue", anonymous, "/services/"),
        ("catalogue search", anonymous, "/services/?q=social+media"),
        ("service page", anonymous, None),
        ("cart", signed_in, "/cart/"),
        ("order history", signed_in, "/orders/"),
        ("my services", signed_in, "/account/services/"),
    ]
    from shop.models import Service

    service = Service.objects.active().first()
    print(f"database: {connection.vendor}; requests per page: {args.requests}")
    print(f"{'page':<18}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'× bare':>9}")
    bare_median = None
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"], DEBUG=False):
        for name, client, url in pages:
            url = url or (service.get_absolute_url() if service else "/")
            for _ in range(10):
                client.get(url)
            with override_settings(DEBUG=True):
                reset_queries()
                status = client.get(url).status_code
                queries = len(connection.queries)
            timings = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1]
            bare_median = bare_median or median
            flag = "" if status == 200 else f"  (HTTP {status})"
            print(f"{name:<18}{median:>10.2f}{p95:>9.2f}{queries:>9}{median / bare_median:>9.1f}{flag}")


if __name__ == "__main__":
    main()
