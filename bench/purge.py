"""Time the retention purge against one hand-written DELETE on the same expired rows.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/purge.py [--rows 1000000]

PostgreSQL only. Seeds ``--rows`` expired Django sessions (the largest declared table whose
rows are deleted; ``generate_series`` makes them in one statement), runs the whole purge
(every declaration, in batches of ``--batch-size``), re-seeds the same rows and times
``DELETE FROM django_session WHERE expire_date < cutoff``. Prints both times, their ratio and
the process's peak memory. Figures, not assertions: compare runs on the same machine.
"""

import argparse
import os
import resource
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
    parser.add_argument("--batch-size", type=int, default=None, help="default: PRIVACY_PURGE_BATCH_SIZE")
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

    batch_size = args.batch_size or conf.settings.PURGE_BATCH_SIZE
    print(
        f"database: {connection.vendor}; table: django_session; expired rows: {args.rows:,}; batch size: {batch_size:,}"
    )

    seed()
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    run = retention_purge(now=now, batch_size=batch_size)
    purge_seconds = time.perf_counter() - started
    rss_after = peak_rss_mb()
    deleted = run.counts.get("sessions.Session", {}).get("deleted", 0)
    left = Session.objects.count()

    seed()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session WHERE expire_date < %s", [cutoff])
        by_hand = cursor.rowcount
    delete_seconds = time.perf_counter() - started

    print(f"{'':<24}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    print(f"{'purge (batched)':<24}{deleted:>12,}{purge_seconds:>10.2f}{deleted / purge_seconds:>12,.0f}")
    print(f"{'one DELETE':<24}{by_hand:>12,}{delete_seconds:>10.2f}{by_hand / delete_seconds:>12,.0f}")
    print(f"ratio purge / DELETE: {purge_seconds / delete_seconds:.2f}")
    print(f"rows left after the purge: {left:,}; purge run: {run.status}")
    print(f"peak memory (max RSS): {rss_after:.0f} MB, {rss_after - rss_before:+.0f} MB during the purge")


if __name__ == "__main__":
    main()
