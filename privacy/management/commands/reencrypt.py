"""``manage.py reencrypt [--batch-size N]``: re-encrypt every encrypted value under the current
key (P15, CR-04). Run it after putting a new key first in FIELD_ENCRYPTION_KEYS, before
removing the old key; safe to stop and run again."""

import time

from django.core.management.base import BaseCommand, CommandError

from privacy import crypto
from privacy.services.encryption import encryption_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt the fields encrypted at rest (and two-factor secrets) with the current key, the first "
        "in FIELD_ENCRYPTION_KEYS. Values already under it are left alone, so an interrupted run resumes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ring = crypto.keyring()
        self.stdout.write(f"Current key: {ring.current} (of {len(ring.keys)} configured)")
        started = time.monotonic()

        def progress(label, count):
            if options["verbosity"] >= 2:
                self.stderr.write(f"  {label}: {count.rewritten:,} of {count.scanned:,} rewritten")

        try:
            summary = encryption_rotate(batch_size=batch_size, progress=progress)
        except crypto.DecryptionError as exc:
            message = f"A value does not decrypt with any configured key ({exc}); nothing more was done."
            raise CommandError(message) from exc
        width = max([len(label) for label in summary] + [5])
        for label, count in summary.items():
            self.stdout.write(f"{label:<{width}}  {count.scanned:>9,} rows  {count.rewritten:>9,} re-encrypted")
        total = sum(c.rewritten for c in summary.values())
        scanned = sum(c.scanned for c in summary.values())
        self.stdout.write(
            f"Done: {total:,} of {scanned:,} rows re-encrypted with key {ring.current} "
            f"in {time.monotonic() - started:.1f} s."
        )
