"""Time the retention purge against one hand-written DELETE on the same expired rows.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/purge.py [--rows 1000000] [--repeat 3]

PostgreSQL only. Seeds ``--rows`` expired Django sessions (the largest declared table whose
rows are deleted; ``generate_series`` makes them in one statement), runs the whole purge
(every declaration, in its default batches unless ``--batch-size`` is given), re-seeds the
same rows and times ``DELETE FROM django_session WHERE expire_date < cutoff``. Prints both
times, their ratio, the batches and the process's peak memory. Figures, not assertions:
compare runs on the same machine. The target: the purge within 1.5 times the one DELETE,
peak memory within 150 MB.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="rows per batch for every table (default: PRIVACY_PURGE_BULK_BATCH_SIZE for sessions)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the medians are compared")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from privacy import conf
    from privacy.registry import site
    from privacy.services import retention_purge

    if connection.vendor != "postgresql":
        sys.exit("bench/purge.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    now = timezone.now()
    cutoff = site.get(Session).retention.cutoff(now)

    def seed():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE django_session")
            cursor.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "SELECT 'bench' || lpad(g::text, 34, '0'), 'e30:bench', %s - interval '3 days' "
                "FROM generate_series(1, %s) AS g",
                [now, args.rows],
            )
            cursor.execute("ANALYZE django_session")

    batch_size = args.batch_size or conf.settings.PURGE_BULK_BATCH_SIZE
    print(
        f"database: {connection.vendor}; table: django_session; expired rows: {args.rows:,}; batch size: {batch_size:,}"
    )

    # The machine is shared: each side runs --repeat times, interleaved, and the medians count.
    purge_times, delete_times, batches = [], [], []
    rss_before = peak_rss_mb()
    for _ in range(args.repeat):
        seed()
        batches.clear()
        started = time.perf_counter()
        run = retention_purge(
            now=now,
            batch_size=args.batch_size,
            progress=lambda label, counts: batches.append(label == "sessions.Session"),
        )
        purge_times.append(time.perf_counter() - started)
        deleted = run.counts.get("sessions.Session", {}).get("deleted", 0)
        left = Session.objects.count()

        seed()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_session WHERE expire_date < %s", [cutoff])
            by_hand = cursor.rowcount
        delete_times.append(time.perf_counter() - started)
    rss_after = peak_rss_mb()
    purge_seconds, delete_seconds = statistics.median(purge_times), statistics.median(delete_times)

    print(f"{'median of ' + str(args.repeat):<24}{'rows':>12}{'seconds':>10}{'rows/s':>12}   all runs (s)")
    for name, rows, seconds, runs in (
        ("purge (batched)", deleted, purge_seconds, purge_times),
        ("one DELETE", by_hand, delete_seconds, delete_times),
    ):
        every = " ".join(f"{t:.2f}" for t in runs)
        print(f"{name:<24}{rows:>12,}{seconds:>10.2f}{rows / seconds:>12,.0f}   {every}")
    print(f"ratio purge / DELETE: {purge_seconds / delete_seconds:.2f}")
    print(f"rows left after the purge: {left:,}; purge run: {run.status}; session batches: {sum(batches)}")
    print(f"peak memory (max RSS): {rss_after:.0f} MB, {rss_after - rss_before:+.0f} MB during the purges")


if __name__ == "__main__":
    main()
