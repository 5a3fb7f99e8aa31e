"""Send one email campaign to a large audience through the real sending service.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/campaign.py [--people 100000]

PostgreSQL only. Seeds ``--people`` accounts once (``generate_series``; reused by later runs):
all gave email-marketing consent, 10% withdrew it, 1% are under a marketing restriction and
0.5% are on the suppression list. Each run creates a new campaign and sends it with
``campaign_deliver`` in its default batches to Django's locmem backend (emptied after each
batch, so the outbox does not grow). Prints messages per second handed to the backend, SQL
statements per batch, and that no excluded person got a message. A second run of the same
campaign size under tracemalloc reports peak Python memory at the 10th batch and at the
end: flat when the audience is iterated, not loaded. Figures, not assertions. Target:
more than 2,000 messages/s, a constant number of statements per batch, flat memory.
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")

PREFIX = "bench-campaign-"  # 15 characters: the SQL below reads the number from character 16
#: Per 1,000 people: which numbers fall in each excluded group.
WITHDREW, RESTRICTED, SUPPRESSED = range(0, 100), range(100, 110), range(110, 115)


def excluded(email: str) -> bool:
    number = int(email.removeprefix(PREFIX).split("@")[0])
    return number % 1000 < SUPPRESSED.stop


def seed(people: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from privacy.models import Suppression
    from privacy.subjects import keyed_hash

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE email LIKE %s", [PREFIX + "%"])
        if cursor.fetchone()[0] >= people:
            return
        print(f"seeding {people:,} people (once) ...")
        now = timezone.now()
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, full_name, is_staff, is_active, date_joined, "
            "age_confirmed_at) SELECT '!', false, %s || g || '@example.com', 'Reader ' || g, false, true, %s, %s "
            "FROM generate_series(1, %s) AS g",
            [PREFIX, now, now, people],
        )
        cursor.execute(
            "INSERT INTO privacy_consentevent (user_id, email, phone, purpose, action, source, wording, wording_hash, "
            "created_at) SELECT id, '', '', 'email_marketing', 'given', 'account', 'Email me offers.', '', %s "
            "FROM accounts_user WHERE email LIKE %s",
            [now, PREFIX + "%"],
        )
        # Each person's number, per 1,000, from their address: decides their group.
        where = (
            "FROM accounts_user WHERE email LIKE %s "
            "AND (split_part(substring(email from 16), '@', 1)::bigint %% 1000) >= %s "
            "AND (split_part(substring(email from 16), '@', 1)::bigint %% 1000) < %s"
        )
        cursor.execute(
            "INSERT INTO privacy_consentevent (user_id, email, phone, purpose, action, source, wording, wording_hash, "
            "created_at) SELECT id, '', '', 'email_marketing', 'withdrawn', 'account', 'No more emails.', '', %s "
            + where,
            [now + timezone.timedelta(minutes=1), PREFIX + "%", WITHDREW.start, WITHDREW.stop],
        )
        cursor.execute(
            "INSERT INTO privacy_restriction (user_id, email, scope, reason, starts_at, review_on, created_at) "
            "SELECT id, '', 'marketing', 'Bench', %s, %s, %s " + where,
            [now, (now + timezone.timedelta(days=365)).date(), now, PREFIX + "%", RESTRICTED.start, RESTRICTED.stop],
        )
        cursor.execute("SELECT email " + where, [PREFIX + "%", SUPPRESSED.start, SUPPRESSED.stop])
        Suppression.objects.bulk_create(
            [Suppression(kind="email", digest=keyed_hash("email", email)) for (email,) in cursor.fetchall()],
            ignore_conflicts=True,
        )
        cursor.execute("ANALYZE")


def send_once(people: int, *, trace: bool) -> dict:
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from marketing.models import Campaign
    from marketing.services import campaign_deliver

    campaign = Campaign.objects.create(
        name="Bench",
        slug=f"bench-{time.time_ns()}",
        subject="{{ first_name|default:'Hello' }}, spring offers",
        body_html="<p>Hello {{ first_name|default:'there' }},</p><p>Our spring offers are here.</p>",
        body_text="Hello {{ first_name|default:'there' }},\n\nOur spring offers are here.",
        status=Campaign.Status.SCHEDULED,
        scheduled_at=timezone.now(),
    )
    totals = {"messages": 0, "to_excluded": 0, "statements": 0, "peaks": []}

    def count(execute, sql, params, many, context):
        totals["statements"] += 1
        return execute(sql, params, many, context)

    def progress(report):
        for message in mail.outbox:
            totals["messages"] += 1
            totals["to_excluded"] += excluded(message.to[0])
        mail.outbox.clear()
        if trace and report.batches in (10, -1):
            totals["peaks"].append(tracemalloc.get_traced_memory()[1])

    mail.outbox = []
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        report = campaign_deliver(campaign_id=campaign.pk, progress=progress)
    seconds = time.perf_counter() - started
    if trace:
        totals["peaks"].append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    totals.update(report=report, seconds=seconds)
    return totals


def bare_locmem_rate(count: int = 3000) -> float:
    """Messages per second of the email backend alone, for the campaign's own message."""
    from django.core import mail
    from django.core.mail import get_connection

    from marketing.models import Campaign
    from marketing.rendering import CampaignMessages, Recipient

    campaign = Campaign.objects.filter(slug__startswith="bench-").latest("pk")
    message = CampaignMessages(campaign).message(Recipient(user_id=1, email="a@example.com", full_name="Ada"))
    connection = get_connection()
    mail.outbox = []
    started = time.perf_counter()
    for _ in range(count):
        message.connection = connection
        message.send()
    seconds = time.perf_counter() - started
    mail.outbox = []
    return count / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--seed-only", action="store_true", help="seed the people and stop")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from marketing.conf import settings as marketing_settings

    if connection.vendor != "postgresql":
        sys.exit("bench/campaign.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    seed(args.people)
    if args.seed_only:
        return
    batch = marketing_settings.CAMPAIGN_BATCH_SIZE
    expected = args.people - args.people * SUPPRESSED.stop // 1000
    print(f"database: postgresql; people: {args.people:,}; expected recipients: {expected:,}; batch size: {batch}")

    run = send_once(args.people, trace=False)
    report = run["report"]
    print(
        f"sent {report.sent:,} in {run['seconds']:.1f} s: {report.sent / run['seconds']:,.0f} messages/s "
        f"({report.batches} batches, {report.suppressed} suppressed dropped, {report.failed} failed)"
    )
    # The lease, the resume check, the campaign read, the last (empty) batch and the finish: once a run.
    per_batch = (run["statements"] - 5) / report.batches
    print(f"SQL statements: {run['statements']:,} in all, {per_batch:.2f} per batch")
    print(f"messages handed to the backend: {run['messages']:,}; to excluded people: {run['to_excluded']}")

    ceiling = bare_locmem_rate()
    print(
        f"for scale, the same message built and handed to locmem in a bare loop: {ceiling:,.0f} messages/s "
        f"(the campaign reaches {report.sent / run['seconds'] / ceiling:.0%} of it; load average now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    if not args.no_memory:
        traced = send_once(args.people, trace=True)
        at_ten, at_end = (peak / 2**20 for peak in traced["peaks"])
        print(
            f"peak Python memory (tracemalloc): {at_ten:.1f} MB after 10 batches, {at_end:.1f} MB after "
            f"{traced['report'].batches} batches ({traced['report'].sent:,} messages; slower under tracing: "
            f"{traced['report'].sent / traced['seconds']:,.0f} messages/s)"
        )


if __name__ == "__main__":
    main()
