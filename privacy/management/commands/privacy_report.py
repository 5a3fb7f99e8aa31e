"""Print or write the record of processing (GDPR Art. 30, P28), built from the declarations."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from privacy import reports


class Command(BaseCommand):
    help = "The record of processing activities, generated from the personal-data declarations."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "markdown"], default="markdown")
        parser.add_argument("--out", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        rows = reports.processing_record()
        render = reports.record_as_csv if options["format"] == "csv" else reports.record_as_markdown
        text = render(rows)
        if options["out"]:
            try:
                Path(options["out"]).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {options['out']}: {error.strerror}") from error
            self.stderr.write(f"Wrote {len(rows)} rows to {options['out']}.")
        else:
            self.stdout.write(text, ending="")
