"""The retention purge (P10, PR-10, PR-12, Q-06, Q-07, Q-10) and the held report (P23)."""

import datetime
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import Address, Profile, User
from kinetogram.celery import app
from privacy import conf
from privacy.models import AuditEvent, ConsentEvent, PurgeRun
from privacy.registry import site
from privacy.selectors.retention import expired_rows, held_past_retention, purgeable_declarations
from privacy.services import restriction_end, retention_purge, retention_purge_catch_up
from privacy.services import retention as retention_module
from privacy.tasks import retention_purge as retention_purge_task
from privacy.tasks import retention_purge_catch_up as retention_purge_catch_up_task
from shop.models import Cart, Order, Review
from tests.accounts.factories import AddressFactory, ProfileFactory, StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import PurgeRunFactory, RestrictionFactory
from tests.shop.factories import OrderFactory, ReviewFactory, SubscriptionFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)")
NOW = timezone.now()
LONG_AGO = NOW - relativedelta(years=7)


@pytest.fixture(autouse=True)
def _no_purge_lock_left():
    cache.delete(retention_module.CACHE_LOCK)
    yield
    cache.delete(retention_module.CACHE_LOCK)


def _age(model, obj, **fields):
    model._default_manager.filter(pk=obj.pk).update(**fields)


def _seed_sessions(*, expired: int, live: int, prefix: str = "s"):
    past, future = NOW - datetime.timedelta(days=2), NOW + datetime.timedelta(days=14)
    rows = [Session(session_key=f"{prefix}e{i:030d}", session_data="x", expire_date=past) for i in range(expired)]
    rows += [Session(session_key=f"{prefix}l{i:030d}", session_data="x", expire_date=future) for i in range(live)]
    Session.objects.bulk_create(rows, batch_size=2000)


# --- resumable and idempotent; Q-10: an interrupted run leaves a true record ----------


class BatchFailure(RuntimeError):
    pass


class Killed(BaseException):
    """Stands for SIGKILL: the run's own bookkeeping after the batch never happens."""


def _fail_on_call(monkeypatch, k: int, error=BatchFailure, label="sessions.Session"):
    real, calls = retention_module._apply_batch, {"n": 0}

    def apply_batch(declaration, batch):
        calls["n"] += declaration.label == label
        if declaration.label == label and calls["n"] == k:
            raise error("disk full")
        return real(declaration, batch)

    monkeypatch.setattr(retention_module, "_apply_batch", apply_batch)


AUDITED = re.compile(r"retention purge, run (\d+): (deleted|anonymised) (\d+)")


def _audited(run) -> dict:
    """What the audit log says a run did, per model: {"sessions.Session": 2000}."""
    done = {}
    for event in AuditEvent.objects.filter(action=AuditEvent.Action.PURGE):
        run_id, _key, number = AUDITED.fullmatch(event.detail).groups()
        if int(run_id) == run.pk:
            done[event.model] = done.get(event.model, 0) + int(number)
    return done


# transaction=True: each batch really commits, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_q06_a_purge_that_crashes_in_batch_3_finishes_on_rerun_and_a_third_run_deletes_nothing(monkeypatch):
    # given 10k expired and 10k live sessions, and a purge whose 3rd batch fails
    _seed_sessions(expired=10_000, live=10_000)
    _fail_on_call(monkeypatch, 3)
    # when
    with pytest.raises(BatchFailure):
        retention_purge(batch_size=1000)
    # then the two batches before the failure stay done, the failed one rolled back
    crashed = PurgeRun.objects.get()
    assert crashed.status == PurgeRun.Status.FAILED
    assert crashed.error == "BatchFailure during sessions.Session"
    assert crashed.counts == {"sessions.Session": {"deleted": 2000, "held": 0}}
    assert Session.objects.count() == 18_000
    # when the purge runs again, then again
    monkeypatch.undo()
    rerun = retention_purge(batch_size=1000)
    third = retention_purge(batch_size=1000)
    # then
    assert rerun.counts == {"sessions.Session": {"deleted": 8000, "held": 0}}
    assert Session.objects.filter(expire_date__lt=NOW).count() == 0
    assert Session.objects.filter(expire_date__gt=NOW).count() == 10_000
    assert third.status == PurgeRun.Status.FINISHED
    assert third.counts == {}
    assert third.total == 0
    assert [_audited(run) for run in (crashed, rerun, third)] == [
        {"sessions.Session": 2000},
        {"sessions.Session": 8000},
        {},
    ]


@pytest.mark.django_db(transaction=True)
def test_q10_a_purge_killed_in_batch_3_ends_abandoned_with_its_counts_and_every_deleted_row_audited(
    monkeypatch, caplog
):
    # given 5k expired sessions and a purge killed in its 3rd batch
    _seed_sessions(expired=5000, live=100)
    _fail_on_call(monkeypatch, 3, error=Killed)
    with pytest.raises(Killed):
        retention_purge(batch_size=1000)
    killed = PurgeRun.objects.get()
    assert (killed.status, killed.finished_at) == (PurgeRun.Status.RUNNING, None)
    assert killed.counts == {"sessions.Session": {"deleted": 2000, "held": 0}}
    # when the next run starts
    monkeypatch.undo()
    rerun = retention_purge(batch_size=1000)
    # then the killed run is abandoned with its counts, and the audit log matches every run
    killed.refresh_from_db()
    assert killed.status == PurgeRun.Status.ABANDONED
    assert killed.error == f"Stopped without finishing; found by run {rerun.pk}"
    assert killed.counts == {"sessions.Session": {"deleted": 2000, "held": 0}}
    assert rerun.status == PurgeRun.Status.FINISHED
    assert rerun.counts == {"sessions.Session": {"deleted": 3000, "held": 0}}
    assert _audited(killed) == {"sessions.Session": 2000}
    assert _audited(rerun) == {"sessions.Session": 3000}
    assert Session.objects.count() == 100
    assert "Retention purge: 1 run(s) stopped without finishing, marked abandoned" in caplog.text


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_q10_a_purge_process_sigkilled_after_3_batches_ends_abandoned_on_the_next_run():
    # given 5k expired sessions and a purge in another process that is killed in batch 3
    _seed_sessions(expired=5000, live=100)
    settings_dict = connection.settings_dict
    script = (
        "import os, signal, django\n"
        "django.setup()\n"
        "from privacy.services import retention as purge\n"
        "real, calls = purge._apply_batch, []\n"
        "def apply_batch(declaration, batch):\n"
        "    calls.extend([1] if declaration.label == 'sessions.Session' else [])\n"
        "    if len(calls) == 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(declaration, batch)\n"
        "purge._apply_batch = apply_batch\n"
        "purge.retention_purge(batch_size=1000)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinetogram.settings.base",
        "DATABASE_URL": f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
        f"{settings_dict['NAME']}",
    }
    process = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=django_settings.BASE_DIR, env=env, timeout=120, check=False
    )
    assert process.returncode == -signal.SIGKILL
    killed = PurgeRun.objects.get()
    assert killed.status == PurgeRun.Status.RUNNING
    # when the next run starts (the dead process's lock went with its connection)
    rerun = retention_purge(batch_size=1000)
    # then
    killed.refresh_from_db()
    assert killed.status == PurgeRun.Status.ABANDONED
    assert killed.counts == {"sessions.Session": {"deleted": 2000, "held": 0}}
    assert rerun.counts == {"sessions.Session": {"deleted": 3000, "held": 0}}
    assert _audited(killed) == {"sessions.Session": 2000}
    assert _audited(rerun) == {"sessions.Session": 3000}
    assert Session.objects.count() == 100


@pytest.mark.django_db
def test_q10_the_catch_up_reruns_a_purge_that_did_not_finish_and_otherwise_does_nothing():
    _seed_sessions(expired=3, live=1)
    # nothing ever ran: a purge is due
    first = retention_purge_catch_up()
    assert first is not None and first.counts == {"sessions.Session": {"deleted": 3, "held": 0}}
    # the last run finished within the day: nothing to do, and nothing recorded
    assert retention_purge_catch_up() is None
    assert PurgeRun.objects.count() == 1
    # the last run failed, was killed (left running, or already marked abandoned): run again
    for status in (PurgeRun.Status.FAILED, PurgeRun.Status.RUNNING, PurgeRun.Status.ABANDONED):
        PurgeRunFactory(status=status, counts={})
        _seed_sessions(expired=2, live=0, prefix=status)
        again = retention_purge_catch_up()
        assert (again.status, again.counts) == (
            PurgeRun.Status.FINISHED,
            {"sessions.Session": {"deleted": 2, "held": 0}},
        )
    # a dry run or a skipped one says nothing about the daily purge
    PurgeRunFactory(status=PurgeRun.Status.FAILED, dry_run=True)
    PurgeRunFactory(status=PurgeRun.Status.SKIPPED)
    assert retention_purge_catch_up() is None
    # the daily run was missed altogether: the last finished one is over a day old
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25, minutes=1)):
        late = retention_purge_catch_up()
    assert late is not None and late.status == PurgeRun.Status.FINISHED


@pytest.mark.django_db
def test_q10_the_catch_up_runs_hourly_on_every_install():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("privacy.migrations.0008_purge_abandoned_and_catch_up")
    migration.forwards(apps, None)
    migration.forwards(apps, None)

    app.loader.import_default_modules()
    schedule = PeriodicTask.objects.get(task="privacy.retention_purge_catch_up")
    assert schedule.enabled is True
    assert (schedule.crontab.minute, schedule.crontab.hour) == ("50", "*")
    assert app.tasks[schedule.task].name == retention_purge_catch_up_task.name
    # Neither purge task goes back on the queue when its worker dies: the catch-up is the retry.
    assert not app.tasks["privacy.retention_purge"].reject_on_worker_lost
    assert not retention_purge_catch_up_task.reject_on_worker_lost


@pytest.mark.django_db
def test_q10_the_catch_up_task_returns_what_it_did():
    _seed_sessions(expired=2, live=0)
    assert retention_purge_catch_up_task.delay().get()["counts"] == {"sessions.Session": {"deleted": 2, "held": 0}}
    assert retention_purge_catch_up_task.delay().get() is None


@pytest.mark.django_db
def test_q06_anonymising_twice_changes_nothing_the_second_time():
    # given
    order = OrderFactory(user=None, email="guest@example.com")
    _age(Order, order, created_at=LONG_AGO)
    # when
    first, second = retention_purge(), retention_purge()
    # then
    assert first.counts["shop.Order"] == {"anonymised": 1, "held": 0}
    assert "shop.Order" not in second.counts


# --- never two runs at once -------------------------------------------------------


class OtherProcess:
    """The purge lock as a purge in another process sees it: on PostgreSQL a second
    connection (an advisory lock is re-entrant within one), elsewhere the shared cache."""

    def __init__(self):
        self.connection = connection.copy() if connection.vendor == "postgresql" else None

    def take_lock(self) -> bool:
        if self.connection is None:
            return cache.add(retention_module.CACHE_LOCK, "taken")
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [retention_module.LOCK_KEY])
            return cursor.fetchone()[0]

    def release_lock(self):
        if self.connection is None:
            cache.delete(retention_module.CACHE_LOCK)
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [retention_module.LOCK_KEY])


@pytest.fixture
def other_process():
    other = OtherProcess()
    yield other
    if other.connection is not None:
        # Ending the session frees whatever advisory lock it still holds.
        other.connection.close()


@pytest.mark.django_db
def test_q07_a_purge_started_while_another_process_holds_the_lock_records_a_skip_and_does_nothing(other_process):
    # given another purge at work, holding the lock
    _seed_sessions(expired=30, live=0)
    assert other_process.take_lock() is True
    # when this one starts
    skipped = retention_purge(batch_size=10)
    # then it records a skip and changes nothing
    assert (skipped.status, skipped.counts) == (PurgeRun.Status.SKIPPED, {})
    assert Session.objects.count() == 30
    assert AuditEvent.objects.filter(action="purge").count() == 0
    # and once the other run ends, the next one does the work and gives the lock back
    other_process.release_lock()
    done = retention_purge(batch_size=10)
    assert done.status == PurgeRun.Status.FINISHED
    assert done.counts["sessions.Session"]["deleted"] == 30
    assert _audited(done) == {"sessions.Session": 30}
    assert other_process.take_lock() is True


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_q07_two_purges_on_two_postgresql_connections_exactly_one_works():
    # given
    _seed_sessions(expired=50, live=0)
    started, release, results = threading.Event(), threading.Event(), {}

    def wait_in_first_batch(label, counts):
        started.set()
        release.wait(20)

    def first():
        try:
            results["first"] = retention_purge(batch_size=10, progress=wait_in_first_batch)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(20)
        # when a second purge starts on another connection while the first holds the lock
        began = time.monotonic()
        second = retention_purge(batch_size=10)
        elapsed = time.monotonic() - began
    finally:
        release.set()
        thread.join(30)
    # then
    assert second.status == PurgeRun.Status.SKIPPED
    assert elapsed < 2
    assert results["first"].status == PurgeRun.Status.FINISHED
    assert results["first"].counts["sessions.Session"]["deleted"] == 50
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_q07_a_dry_run_needs_no_lock_and_changes_nothing(other_process):
    _seed_sessions(expired=5, live=2)
    assert other_process.take_lock() is True
    run = retention_purge(dry_run=True)
    assert run.dry_run is True and run.status == PurgeRun.Status.FINISHED
    assert run.counts == {"sessions.Session": {"deleted": 5, "held": 0}}
    assert Session.objects.count() == 7
    assert AuditEvent.objects.count() == 0


# --- PR-10: the maximum is never exceeded -------------------------------------------------


@pytest.mark.django_db
def test_pr10_a_review_is_present_the_day_before_its_cutoff_and_gone_the_day_after():
    # given a review written at a known moment; reviews are kept 3 years
    written = datetime.datetime(2021, 3, 1, 12, 0, tzinfo=datetime.UTC)
    review = ReviewFactory()
    _age(Review, review, created_at=written)
    end_of_period = written + relativedelta(years=3)
    # when / then
    with time_machine.travel(end_of_period - datetime.timedelta(days=1), tick=False):
        retention_purge()
    assert Review.objects.filter(pk=review.pk).exists()
    with time_machine.travel(end_of_period + datetime.timedelta(days=1), tick=False):
        retention_purge()
    assert not Review.objects.filter(pk=review.pk).exists()


@pytest.mark.django_db
def test_pr10_an_order_keeps_its_buyer_until_six_years_and_is_anonymised_the_day_after():
    placed = datetime.datetime(2019, 6, 1, 9, 0, tzinfo=datetime.UTC)
    order = OrderFactory(user=None, email="buyer@example.com")
    _age(Order, order, created_at=placed)
    with time_machine.travel(placed + relativedelta(years=6) - datetime.timedelta(days=1), tick=False):
        retention_purge()
    assert Order.objects.get(pk=order.pk).email == "buyer@example.com"
    with time_machine.travel(placed + relativedelta(years=6) + datetime.timedelta(days=1), tick=False):
        retention_purge()
    assert Order.objects.get(pk=order.pk).email == "erased@erased.invalid"


def test_pr10_no_declared_retention_exceeds_six_years_and_a_day():
    limit = NOW - relativedelta(years=6, days=1)
    too_long = {d.label: d.retention.describe() for d in purgeable_declarations() if d.retention.cutoff(NOW) < limit}
    assert too_long == {}
    assert conf.settings.MAX_RETENTION <= datetime.timedelta(days=6 * 366)


@pytest.mark.django_db
def test_pr10_after_a_purge_no_declared_model_has_a_row_past_its_period():
    # given a seven-year-old row in many declared models
    customer = UserFactory(last_login=LONG_AGO)
    ProfileFactory(user=customer)
    AddressFactory(user=customer)
    for review in [ReviewFactory(user=customer)]:
        _age(Review, review, created_at=LONG_AGO)
    _age(Order, OrderFactory(user=customer), created_at=LONG_AGO)
    _seed_sessions(expired=3, live=0)
    # when
    retention_purge()
    # then
    left = {d.label: expired_rows(d).count() for d in purgeable_declarations()}
    assert {label: n for label, n in left.items() if n} == {}


# --- P10: what each declaration says happens ---------------------------------------------


@pytest.mark.django_db
def test_p10_an_old_order_is_anonymised_in_place_keeping_its_totals():
    # given
    customer = UserFactory()
    order = OrderFactory(user=customer, billing_name="Ada Lovelace", card_last4="4242")
    _age(Order, order, created_at=LONG_AGO)
    recent = OrderFactory(user=customer)
    # when
    run = retention_purge()
    # then
    order.refresh_from_db()
    assert (order.user, order.email, order.billing_name, order.card_last4) == (
        None,
        "erased@erased.invalid",
        "[erased]",
        "",
    )
    assert order.total == recent.total
    assert Order.objects.get(pk=recent.pk).user == customer
    assert run.counts["shop.Order"] == {"anonymised": 1, "held": 0}


@pytest.mark.django_db
def test_p10_an_inactive_account_is_anonymised_and_its_address_book_deleted():
    # given a customer who last signed in four years ago
    customer = UserFactory(email="sleeper@example.com", last_login=NOW - relativedelta(years=4))
    ProfileFactory(user=customer)
    AddressFactory(user=customer)
    # when
    run = retention_purge()
    # then
    customer.refresh_from_db()
    assert customer.email == f"erased-{customer.pk}@erased.invalid"
    assert (customer.full_name, customer.password, customer.age_confirmed_at) == ("", "!erased", None)
    assert not customer.has_usable_password()
    assert Profile.objects.filter(user=customer).count() == 0
    assert Address.objects.filter(user=customer).count() == 0
    assert run.counts["accounts.User"] == {"anonymised": 1, "held": 0}
    assert run.counts["accounts.Address"] == {"deleted": 1, "held": 0}


@pytest.mark.django_db
def test_p10_staff_and_customers_with_a_running_subscription_keep_their_account_and_addresses():
    four_years_ago = NOW - relativedelta(years=4)
    staff = StaffFactory(last_login=four_years_ago)
    subscriber = UserFactory(last_login=four_years_ago)
    SubscriptionFactory(user=subscriber)
    for person in (staff, subscriber):
        AddressFactory(user=person)
    retention_purge()
    assert set(User.objects.filter(email__endswith="erased.invalid")) == set()
    assert Address.objects.filter(user__in=[staff, subscriber]).count() == 2


@pytest.mark.django_db
def test_p10_ledger_and_audit_rows_past_six_years_are_deleted_and_younger_ones_kept():
    # given rows born old: on PostgreSQL the append-only triggers refuse UPDATE
    customer = UserFactory()
    ledger = {"user": customer, "purpose": "email_marketing", "source": "signup", "wording": "Yes, email me"}
    ConsentEvent.objects.create(action="given", created_at=LONG_AGO, **ledger)
    recent = ConsentEvent.objects.create(action="withdrawn", **ledger)
    old_audit = AuditEvent.objects.create(actor_label="system", action="view", model="shop.Order", created_at=LONG_AGO)
    recent_audit = AuditEvent.objects.create(actor_label="system", action="view", model="shop.Order")
    # when
    run = retention_purge()
    # then
    assert list(ConsentEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEvent.objects.filter(pk=old_audit.pk).exists()
    assert AuditEvent.objects.filter(pk=recent_audit.pk).exists()
    assert run.counts["privacy.ConsentEvent"] == {"deleted": 1, "held": 0}
    assert run.counts["privacy.AuditEvent"] == {"deleted": 1, "held": 0}


@pytest.mark.django_db
def test_p10_each_run_records_counts_per_model_and_one_audit_event_per_model_without_values():
    # given
    review = ReviewFactory(title="Secret title")
    _age(Review, review, created_at=LONG_AGO)
    order = OrderFactory(user=None, email="guest@example.com")
    _age(Order, order, created_at=LONG_AGO)
    # when
    run = retention_purge()
    # then
    assert run.status == PurgeRun.Status.FINISHED and run.finished_at is not None
    assert run.counts == {"shop.Order": {"anonymised": 1, "held": 0}, "shop.Review": {"deleted": 1, "held": 0}}
    events = AuditEvent.objects.filter(action="purge").order_by("model")
    assert [(e.model, e.actor_label, e.detail) for e in events] == [
        ("shop.Order", "system", f"retention purge, run {run.pk}: anonymised 1"),
        ("shop.Review", "system", f"retention purge, run {run.pk}: deleted 1"),
    ]


@pytest.mark.django_db
def test_p10_the_purge_runs_in_batches_of_the_configured_size(settings):
    settings.PRIVACY_PURGE_BATCH_SIZE = 3
    settings.PRIVACY_PURGE_BULK_BATCH_SIZE = 400
    _seed_sessions(expired=1000, live=0)
    carts = [Cart.objects.create(user=user) for user in UserFactory.create_batch(7)]
    Cart.objects.filter(pk__in=[cart.pk for cart in carts]).update(updated_at=LONG_AGO)
    batches = []
    retention_purge(progress=lambda label, counts: batches.append((label, counts["deleted"])))
    # Sessions go in one statement a batch, so in larger batches; carts take their lines
    # with them, which Django reads first.
    assert batches == [
        ("sessions.Session", 400),
        ("sessions.Session", 800),
        ("sessions.Session", 1000),
        ("shop.Cart", 3),
        ("shop.Cart", 6),
        ("shop.Cart", 7),
    ]


@pytest.mark.django_db
def test_p10_a_batch_of_sessions_is_one_delete_statement_with_no_keys_read_first(settings):
    settings.PRIVACY_PURGE_BULK_BATCH_SIZE = 400
    _seed_sessions(expired=1000, live=5)

    with CaptureQueriesContext(connection) as queries:
        retention_purge()

    on_sessions = [q["sql"].split()[0] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert on_sessions == ["DELETE", "DELETE", "DELETE"]
    assert Session.objects.count() == 5


def test_p10_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        retention_purge(batch_size=0)


# --- P23: restricted people are held -------------------------------------------------------


@pytest.mark.django_db
def test_p23_a_restricted_persons_rows_survive_the_purge_and_are_counted_held():
    # given two customers with seven-year-old reviews and orders; one is restricted
    restricted, other = UserFactory(), UserFactory()
    for person in (restricted, other):
        _age(Review, ReviewFactory(user=person), created_at=LONG_AGO)
        _age(Order, OrderFactory(user=person), created_at=LONG_AGO)
    guest_order = OrderFactory(user=None, email="Guest@Example.com")
    _age(Order, guest_order, created_at=LONG_AGO)
    restriction = RestrictionFactory(user=restricted, scope="marketing")
    RestrictionFactory(email="guest@example.com", scope="all")
    # when
    run = retention_purge()
    # then
    assert Review.objects.filter(user=restricted).count() == 1
    assert Review.objects.filter(user=other).count() == 0
    assert Order.objects.get(pk=guest_order.pk).email == "Guest@Example.com"
    assert run.counts["shop.Review"] == {"deleted": 1, "held": 1}
    assert run.counts["shop.Order"] == {"anonymised": 1, "held": 2}
    # and when the restriction ends, the next purge takes the rows
    restriction_end(restriction=restriction, ended_by=None)
    retention_purge()
    assert Review.objects.filter(user=restricted).count() == 0


@pytest.mark.django_db
def test_p23_the_held_report_lists_each_restricted_person_with_models_counts_and_review_date():
    restricted = UserFactory(email="held@example.com")
    for _ in range(2):
        _age(Review, ReviewFactory(user=restricted), created_at=LONG_AGO)
    ReviewFactory(user=restricted)  # not past retention: not held
    restriction = RestrictionFactory(user=restricted, scope="all", review_on=datetime.date(2099, 5, 1))
    RestrictionFactory(email="nothing-old@example.com", scope="all")
    people = held_past_retention()
    assert [(p.restriction, p.who, p.counts, p.total) for p in people] == [
        (restriction, "held@example.com", {"shop.Review": 2}, 2)
    ]


@pytest.fixture
def staff_client(client):
    staff_login(client, StaffFactory(email="staff@example.com"))
    return client


@pytest.mark.django_db
def test_p23_staff_see_the_held_past_retention_report_in_the_admin(staff_client, django_assert_max_num_queries):
    restricted = UserFactory(email="held@example.com")
    _age(Review, ReviewFactory(user=restricted), created_at=LONG_AGO)
    RestrictionFactory(user=restricted, scope="all", review_on=datetime.date(2099, 5, 1))
    with django_assert_max_num_queries(80):
        response = staff_client.get(reverse("admin:privacy_held_report"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "held@example.com" in body and "shop.Review: 1" in body and "1 May 2099" in body
    assert (
        reverse("admin:privacy_held_report")
        in staff_client.get(reverse("admin:app_list", args=["privacy"])).content.decode()
    )


@pytest.mark.django_db
def test_p23_the_held_report_is_staff_only(client):
    url = reverse("admin:privacy_held_report")
    assert client.get(url).status_code == 302
    staff_login(client, UserFactory())
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_p10_purge_runs_are_read_only_in_the_admin_with_counts_per_model(staff_client):
    run = PurgeRunFactory(counts={"shop.Order": {"anonymised": 3, "held": 1}})
    page = staff_client.get(reverse("admin:privacy_purgerun_changelist")).content.decode()
    assert "shop.Order: anonymised 3, held 1" in page
    assert staff_client.get(reverse("admin:privacy_purgerun_add")).status_code == 403
    assert staff_client.get(reverse("admin:privacy_purgerun_change", args=[run.pk])).status_code == 200
    assert staff_client.post(reverse("admin:privacy_purgerun_delete", args=[run.pk])).status_code == 403


# --- PR-12: expired Django sessions ---------------------------------------------------------


@pytest.mark.django_db
def test_pr12_sessions_expired_more_than_a_day_ago_are_purged_and_others_kept():
    # given
    Session.objects.bulk_create(
        [
            Session(session_key="a" * 32, session_data="x", expire_date=NOW - datetime.timedelta(days=1, hours=1)),
            Session(session_key="b" * 32, session_data="x", expire_date=NOW - datetime.timedelta(hours=12)),
            Session(session_key="c" * 32, session_data="x", expire_date=NOW + datetime.timedelta(days=3)),
        ]
    )
    declaration = site.get(Session)
    assert (declaration.retention.from_field, declaration.retention.days, declaration.retention.action) == (
        "expire_date",
        1,
        "delete",
    )
    # when
    retention_purge()
    # then
    assert sorted(Session.objects.values_list("session_key", flat=True)) == ["b" * 32, "c" * 32]
    assert Session.objects.filter(expire_date__lt=timezone.now() - datetime.timedelta(days=1)).count() == 0


# --- the task, its schedule and the command ---------------------------------------------------


@pytest.mark.django_db
def test_p10_the_daily_schedule_exists_after_migrations_and_names_a_registered_task():
    app.loader.import_default_modules()
    schedule = PeriodicTask.objects.get(task="privacy.retention_purge")
    assert schedule.enabled is True
    assert schedule.crontab is not None and (schedule.crontab.minute, schedule.crontab.hour) == ("30", "3")
    registered = app.tasks[schedule.task]
    assert registered.__module__ == "privacy.tasks" and registered.name == retention_purge_task.name


@pytest.mark.django_db
def test_p10_the_task_runs_the_purge_and_bounds_its_retries():
    _seed_sessions(expired=3, live=1)
    result = retention_purge_task.delay().get()
    assert result["status"] == "finished"
    assert result["counts"] == {"sessions.Session": {"deleted": 3, "held": 0}}
    assert retention_purge_task.max_retries == 5 and retention_purge_task.retry_backoff_max == 600


@pytest.mark.django_db
def test_p10_privacy_purge_dry_run_shows_what_would_go_and_changes_nothing():
    _seed_sessions(expired=4, live=1)
    restricted = UserFactory()
    _age(Review, ReviewFactory(user=restricted), created_at=LONG_AGO)
    RestrictionFactory(user=restricted, scope="all")
    out, err = io.StringIO(), io.StringIO()
    call_command("privacy_purge", "--dry-run", stdout=out, stderr=err)
    text = out.getvalue()
    assert text.splitlines()[0] == "Dry run: nothing was changed."
    assert "sessions.Session  deleted 4 (would go)" in text
    assert "shop.Review       deleted 0 (would go); held for restricted people: 1" in text
    assert "sessions.Session: deleted 4, held 0" in err.getvalue()
    assert Session.objects.count() == 5


@pytest.mark.django_db
def test_p10_privacy_purge_purges_in_batches_and_prints_the_counts():
    _seed_sessions(expired=5, live=1)
    out, err = io.StringIO(), io.StringIO()
    call_command("privacy_purge", "--batch-size", "2", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == ["Purge finished.", "sessions.Session  deleted 5 (done)"]
    assert err.getvalue().count("sessions.Session: deleted") == 3
    assert Session.objects.count() == 1


@pytest.mark.django_db
def test_q07_privacy_purge_says_so_when_another_purge_runs(other_process):
    assert other_process.take_lock() is True
    with pytest.raises(CommandError, match="Another purge is running"):
        call_command("privacy_purge", stdout=io.StringIO(), stderr=io.StringIO())
    assert PurgeRun.objects.get().status == PurgeRun.Status.SKIPPED


@pytest.mark.django_db
def test_p23_a_restriction_by_email_holds_the_rows_of_the_account_with_that_address():
    # given a restriction recorded by email for a person who has an account
    customer = UserFactory(email="Owner@Example.com")
    review = ReviewFactory(user=customer)
    _age(Review, review, created_at=LONG_AGO)
    RestrictionFactory(email="owner@example.com", scope="all")
    # when
    run = retention_purge()
    people = held_past_retention()
    # then the account's rows are held, as processing_is_restricted says they are restricted
    assert Review.objects.filter(pk=review.pk).exists()
    assert run.counts["shop.Review"] == {"deleted": 0, "held": 1}
    assert [(p.who, p.counts) for p in people] == [("owner@example.com", {"shop.Review": 1})]
