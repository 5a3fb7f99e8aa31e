"""manage.py postal_list --out FILE.csv: the postal marketing list (P05), audited."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketing import services


class Command(BaseCommand):
    help = (
        "Write the postal marketing list as CSV: one address per customer who has not objected to "
        "postal marketing, is not restricted and is not on the suppression list. Each run is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The CSV file to write (its folder must exist).")
        parser.add_argument("--force", action="store_true", help="Overwrite the file if it exists.")

    def handle(self, *args, out, force, **options):
        path = Path(out)
        if path.is_dir():
            raise CommandError(
                f"{path} is a folder; give the name of the CSV file to write, e.g. {path / 'postal.csv'}."
            )
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist; create it first or choose another path.")
        if path.exists() and not force:
            raise CommandError(f"{path} already exists; add --force to overwrite it.")
        self.stdout.write("Writing the postal marketing list...")

        def progress(written):
            self.stdout.write(f"  {written} addresses written")

        try:
            with path.open("w", newline="", encoding="utf-8") as handle:
                counts = services.postal_list_export(out=handle, actor=None, progress=progress)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {counts['written']} addresses to {path}. Of {counts['candidates']} customers with an address, "
                f"{counts['left_out']} objected to postal marketing or are restricted and {counts['suppressed']} "
                "are on the suppression list: they are not in the file."
            )
        )
