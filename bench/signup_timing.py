"""Time sign-up for an address that already has an account against a new one (AU-06).

    .venv/bin/python bench/signup_timing.py [--tries 50]
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/signup_timing.py

Runs the real sign-up view in-process with the production password hasher (Argon2), on a
throwaway SQLite file unless DATABASE_URL is set, alternating the two cases so that drift
falls on both. Prints the median of each and their difference; RELIABILITY.md asks for
less than 50 ms. Figures, not assertions: compare runs on the same machine.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='signup-timing-')}/db.sqlite3"

PASSWORD = "Lantern-orbit-2047"  # noqa: S105 (a made-up password for the timing runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from accounts.models import User

    run = f"{time.time_ns():x}"
    existing = f"existing-{run}@example.com"
    User.objects.create_user(email=existing, password=PASSWORD, full_name="Existing Customer")

    def signup(email, n):
        data = {
            "email": email,
            "full_name": "Timing Test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_age": "on",
        }
        # A new client address each time: the sign-up limit (20 a minute per address) is
        # not what is measured.
        client = Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        start = time.perf_counter()
        response = client.post("/accounts/signup/", data)
        elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        return elapsed * 1000

    timings = {"existing": [], "new": []}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", ALLOWED_HOSTS=["*"]):
        signup(existing, 0)  # warm-up: imports, templates, first connection
        signup(f"warm-{run}@example.com", 1)
        for n in range(args.tries):
            timings["existing"].append(signup(existing, 2 * n + 2))
            timings["new"].append(signup(f"new-{run}-{n}@example.com", 2 * n + 3))

    print(f"database: {connection.vendor}; hasher: {django.conf.settings.PASSWORD_HASHERS[0].rsplit('.', 1)[1]}")
    print(f"tries per case: {args.tries}")
    medians = {case: statistics.median(values) for case, values in timings.items()}
    for case, values in timings.items():
        print(f"{case + ' email':<16} median {medians[case]:7.1f} ms   min {min(values):7.1f} ms")
    print(f"difference       median {medians['new'] - medians['existing']:+7.1f} ms (new - existing)")


if __name__ == "__main__":
    main()
