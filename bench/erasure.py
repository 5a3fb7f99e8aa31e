"""Time one customer's erasure, count its SQL statements and measure its memory (P20).

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/erasure.py [--rows 1000 100000]

PostgreSQL only. Seeds 200 other customers (10 orders and 500 consent records each: 100,000
ledger rows that must stay untouched), then, for each ``--rows`` figure, one customer with
``--orders`` orders (and their lines) and that many rows in the consent ledger (the largest
declared table, whose rows an erasure deletes through the append-only trigger), plus a row in
a profile, an address, a cart, a saved search and a consultation request. Erases them with ``subject_erase`` and
prints the time, the SQL statements (which must not grow with the rows), the peak Python
memory during the erasure and the process's peak RSS. The processor steps are recorded but
not run: a worker runs them after the commit. Figures, not assertions; BENCH_SHOW_SQL=1 prints
every statement.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")
# The log of the bench's erasures goes to a folder of its own, not the project's var/.
os.environ.setdefault("PRIVACY_ERASURE_LOG_ROOT", tempfile.mkdtemp(prefix="bench-erasure-log-"))

OTHERS = 200
OTHER_ORDERS = 10
OTHER_CONSENTS = 500

ORDER_SQL = """
INSERT INTO shop_order (number, user_id, email, status, mode, currency, total, billing_name, billing_company,
    billing_line1, billing_line2, billing_city, billing_postcode, billing_country, recipient_name, recipient_email,
    stripe_checkout_session_id, stripe_payment_intent_id, stripe_customer_id, card_brand, card_last4,
    created_at, paid_at, updated_at)
SELECT %(prefix)s || g, %(user)s, %(email)s, 'paid', 'payment', 'gbp', 100.00, 'Bench Buyer', 'Bench Ltd',
    g || ' Market Street', '', 'London', 'EC1A 1BB', 'GB', '', '',
    'cs_bench_' || g, 'pi_bench_' || g, %(customer)s, 'visa', '4242', now(), now(), now()
FROM generate_series(1, %(n)s) AS g
"""
LINE_SQL = """
INSERT INTO shop_orderline (order_id, plan_id, service_name, plan_name, billing, unit_price, quantity, line_total)
SELECT id, NULL, 'Bench service', 'Standard', 'one_off', 100.00, 1, 100.00 FROM shop_order WHERE user_id = %(user)s
"""
CONSENT_SQL = """
INSERT INTO privacy_consentevent (user_id, anonymous_id, email, phone, purpose, action, source, policy_version_id,
    wording, wording_hash, recorded_by_id, created_at)
SELECT %(user)s, NULL, '', '', 'email_marketing', CASE WHEN g %% 2 = 0 THEN 'given' ELSE 'withdrawn' END, 'account',
    NULL, 'Email me offers.', 'bench', NULL, now() - (g || ' minutes')::interval
FROM generate_series(1, %(n)s) AS g
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 100_000], help="ledger rows of the customer")
    parser.add_argument("--orders", type=int, default=1_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Address, Profile, User
    from privacy.models import ConsentEvent
    from privacy.services import processors, subject_erase
    from privacy.subjects import Subject
    from shop.models import Cart, ConsultationRequest, Order, SavedSearch

    if connection.vendor != "postgresql":
        sys.exit("bench/erasure.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    # The steps' calls to Stripe and the email provider happen in a worker, after the commit.
    processors._queue = lambda ids: None

    def execute(sql, **params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def customer(tag, *, orders, consents):
        user = User.objects.create_user(f"{tag}@bench.example", None, full_name=f"Bench {tag}")
        execute(ORDER_SQL, prefix=f"B{tag}-", user=user.pk, email=user.email, customer=f"cus_{tag}", n=orders)
        execute(LINE_SQL, user=user.pk)
        execute(CONSENT_SQL, user=user.pk, n=consents)
        return user

    run = uuid.uuid4().hex[:6]
    print(f"seeding {OTHERS} other customers ({OTHER_ORDERS} orders, {OTHER_CONSENTS} consent records each)...")
    others = [customer(f"o{run}{i}", orders=OTHER_ORDERS, consents=OTHER_CONSENTS) for i in range(OTHERS)]
    other_ids = [u.pk for u in others]
    execute("ANALYZE")

    def others_fingerprint():
        return (
            Order.objects.filter(user_id__in=other_ids).exclude(billing_name="[erased]").count(),
            ConsentEvent.objects.filter(user_id__in=other_ids).count(),
            User.objects.filter(pk__in=other_ids, is_active=True).count(),
        )

    before = others_fingerprint()
    print(f"database: {connection.vendor}; ledger rows in all: {ConsentEvent.objects.count():,}")
    print(
        f"{'customer rows':>14}{'orders':>8}{'seconds':>9}{'statements':>12}{'writes':>8}"
        f"{'peak Python MB':>16}{'peak RSS MB':>13}"
    )
    for rows in args.rows:
        tag = f"c{run}{rows}"
        user = customer(tag, orders=args.orders, consents=rows)
        Profile.objects.create(user=user, phone="+447700900123", company="Bench Ltd", city="London", country="GB")
        Address.objects.create(
            user=user, kind="billing", full_name="Bench", line1="1 Market Street", city="London", postcode="EC1A 1BB",
            country="GB",
        )  # fmt: skip
        Cart.objects.create(user=user)
        SavedSearch.objects.create(user=user, name="Audits", query="q=audit")
        ConsultationRequest.objects.create(user=user, name="Bench", email=user.email, message="Hello")
        execute("ANALYZE")

        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = subject_erase(subject=Subject.of(user=user), reason="bench")
            seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        statements = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
        if os.environ.get("BENCH_SHOW_SQL"):
            print("\n".join(q["sql"][:160] for q in queries.captured_queries))
        writes = sum(verb in ("INSERT", "UPDATE", "DELETE") for verb in statements)
        assert result.counts["privacy.ConsentEvent"] == {"deleted": rows}, result.counts
        assert result.counts["shop.Order"] == {"kept": args.orders}, result.counts
        print(
            f"{rows:>14,}{args.orders:>8,}{seconds:>9.2f}{len(statements):>12}{writes:>8}"
            f"{peak / 2**20:>16.1f}{peak_rss_mb():>13.0f}"
        )
    after = others_fingerprint()
    print(f"others untouched: {after == before} (orders, ledger rows, active accounts: {after})")


if __name__ == "__main__":
    main()
