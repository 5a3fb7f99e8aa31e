"""Time one person's export (P19, P24) with many rows, and show it stays memory bounded.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/export.py [--reset]

PostgreSQL only. Seeds one customer with ``--orders`` orders (1,000) and ``--rows`` consent
records (100,000: the ledger is the largest declared table a person has rows in), plus
``--others`` other customers with orders and consent records of their own, all with
``bulk_create`` in batches. Then builds the customer's export exactly as the Celery task does
(``export_request`` then ``export_build``: the zip streamed into the exports storage, here a
temporary folder) in a fresh child process, and prints its time, the SQL statements Django
sent (counted with ``connection.execute_wrapper``) and the child's peak RSS; then, in another
child, the same builder under tracemalloc for the peak of its Python allocations (timed
apart: tracemalloc slows Python down several times). Figures, not assertions.

Refuses a database that already has accounts unless ``--reset`` is given, which empties it.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")

TARGET_EMAIL = "bench-export-target@example.com"
BATCH = 5000


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(*, orders: int, rows: int, others: int):
    from django.utils import timezone

    from accounts.models import User
    from privacy.models import ConsentEvent
    from shop.models import Order

    now = timezone.now()

    def customer(email):
        return User.objects.create_user(email=email, password=None, full_name=email.split("@")[0])

    def orders_of(user, count):
        for start in range(0, count, BATCH):
            Order.objects.bulk_create(
                Order(
                    user=user,
                    email=user.email,
                    status="paid",
                    total="49.00",
                    billing_name=user.full_name,
                    billing_line1=f"{i} Bench Street",
                    billing_city="London",
                    billing_postcode="EC1A 1BB",
                    billing_country="GB",
                    created_at=now,
                )
                for i in range(start, min(start + BATCH, count))
            )

    def consents_of(user, count):
        for start in range(0, count, BATCH):
            ConsentEvent.objects.bulk_create(
                ConsentEvent(
                    user=user,
                    purpose="email_marketing" if i % 2 else "sms_marketing",
                    action="given" if i % 3 else "withdrawn",
                    source="account",
                    wording="Email me offers and news about Kinetogram's services. You can stop at any time.",
                    wording_hash="0" * 64,
                    created_at=now,
                )
                for i in range(start, min(start + BATCH, count))
            )

    target = customer(TARGET_EMAIL)
    orders_of(target, orders)
    consents_of(target, rows)
    for n in range(others):
        other = customer(f"bench-other-{n}@example.com")
        orders_of(other, max(orders // 10, 1))
        consents_of(other, max(rows // 100, 1))
    return target


def build(export_id: int):
    """In a child process: build the export as the task does; print time, statements, RSS."""
    import django

    django.setup()
    from django.db import connection

    from privacy.models import DataExport
    from privacy.services import export_build

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql.split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        export_build(export_id=export_id)
    seconds = time.perf_counter() - started
    export = DataExport.objects.get(pk=export_id)
    kinds = {kind: statements.count(kind) for kind in sorted(set(statements))}
    print(f"status: {export.status}; zip: {export.size / 1024 / 1024:.1f} MB")
    print(f"time to build and store the export: {seconds:.2f} s")
    print(f"SQL statements: {len(statements)} ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
    print(f"peak RSS of the building process: {peak_rss_mb():.0f} MB ({rss_before:.0f} MB after Django start-up)")


def trace(user_id: int):
    """In a child process: the same builder under tracemalloc (slower), for the peak of the
    Python allocations it makes."""
    import django

    django.setup()
    from privacy.export_archive import archive_write
    from privacy.subjects import Subject

    subject = Subject(user_id=user_id, emails=frozenset([TARGET_EMAIL]))
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        archive_write(subject=subject, fileobj=out)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"peak Python allocations while building (tracemalloc): {peak / 1024 / 1024:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--rows", type=int, default=100_000, help="consent records of the customer")
    parser.add_argument("--others", type=int, default=10, help="other customers, with rows of their own")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.build)
        return
    if args.trace:
        trace(args.trace)
        return
    # The bench's zips go to a temporary folder, never to the site's exports; the build is
    # left to the child process, so nothing may run it on commit.
    exports = tempfile.mkdtemp(prefix="bench-exports-")
    os.environ["PRIVACY_EXPORT_ROOT"] = exports
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    try:
        run(args)
    finally:
        shutil.rmtree(exports, ignore_errors=True)


def run(args):
    import django

    django.setup()
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from privacy.conf import settings as privacy_settings
    from privacy.export_archive import exported_records
    from privacy.services import export_request
    from privacy.subjects import Subject

    if connection.vendor != "postgresql":
        sys.exit("bench/export.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    if User.objects.exists():
        if not args.reset:
            sys.exit(f"{connection.settings_dict['NAME']} already has accounts; run with --reset to empty it.")
        call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    target = seed(orders=args.orders, rows=args.rows, others=args.others)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"database: {connection.settings_dict['NAME']}; seeded in {time.perf_counter() - started:.1f} s: "
        f"the customer with {args.orders:,} orders and {args.rows:,} consent records, "
        f"{args.others} others with {max(args.orders // 10, 1):,} orders and {max(args.rows // 100, 1):,} each"
    )
    print(f"declared records in the export: {len(exported_records())}")
    # Queued on commit for a worker; here the child process below plays the worker.
    export = export_request(subject=Subject.of(user=target))
    subprocess.run([sys.executable, __file__, "--build", str(export.pk)], check=True)  # noqa: S603
    subprocess.run([sys.executable, __file__, "--trace", str(target.pk)], check=True)  # noqa: S603
    export.refresh_from_db()
    with storages[privacy_settings.EXPORT_STORAGE].open(export.file_name, "rb") as handle:
        records = json.load(zipfile.ZipFile(handle).open("data.json"))["records"]
    print(f"in the export: {len(records['Orders']):,} orders, {len(records['Consent records']):,} consent records")


if __name__ == "__main__":
    main()
