"""``manage.py privacy_purge [--dry-run] [--batch-size N]``: the retention purge by hand (P10)."""

from django.core.management.base import BaseCommand, CommandError

from privacy.models import PurgeRun
from privacy.services import retention_purge


class Command(BaseCommand):
    help = (
        "Delete or anonymise personal data past its retention period, as each app's "
        "personal_data.py declares. With --dry-run, show per model what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--batch-size", type=int, default=None, help="Rows per transaction.")

    def handle(self, *args, dry_run=False, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        verb = "would go" if dry_run else "done"

        def progress(label, counts):
            if options["verbosity"] >= 1:
                self.stderr.write(f"  {label}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

        run = retention_purge(dry_run=dry_run, batch_size=batch_size, progress=progress)
        if run.status == PurgeRun.Status.SKIPPED:
            raise CommandError("Another purge is running; nothing was done.")
        title = "Dry run: nothing was changed." if dry_run else f"Purge {run.get_status_display().lower()}."
        self.stdout.write(title)
        if not run.counts:
            self.stdout.write("Nothing is past its retention period.")
        width = max([len(label) for label in run.counts] + [5])
        for label, counts in run.counts.items():
            parts = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "held")
            held = counts.get("held", 0)
            line = f"{label:<{width}}  {parts or '0'} ({verb})"
            if held:
                line += f"; held for restricted people: {held:,}"
            self.stdout.write(line)
