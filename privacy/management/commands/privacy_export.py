"""``manage.py privacy_export --email E --out FILE.zip``: a person's data, the same zip as the
download (P19, P24), written at once for staff answering a request received by post or phone."""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from privacy.selectors.export import subject_holds_data
from privacy.services import export_write
from privacy.subjects import Subject


class Command(BaseCommand):
    help = (
        "Write everything held about the person with this email address to a zip: data.json, "
        "schema.json, one CSV per record and a readable index.html."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The person's email address.")
        parser.add_argument("--out", required=True, help="Path of the zip file to write.")

    def handle(self, *args, email, out, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        target = Path(out).expanduser()
        folder = target.parent.resolve()
        if target.is_dir():
            raise CommandError(f"{target} is a folder; give the path of a file to write.")
        if not folder.is_dir():
            raise CommandError(f"Cannot write {target}: the folder {folder} does not exist.")
        if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
            raise CommandError(f"Cannot write {target}: permission denied.")
        subject = Subject.of(email=email)
        if not subject_holds_data(subject):
            raise CommandError("No account and no personal data is held for that email address; nothing written.")
        # Written beside the target and moved into place, so a failure leaves no half file.
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".privacy-export-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as fileobj:
                summary = export_write(subject=subject, fileobj=fileobj)
            os.replace(partial, target)
        except OSError as exc:
            raise CommandError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        held = {name: count for name, count in summary.counts.items() if count}
        width = max([len(name) for name in held] + [6])
        self.stdout.write(f"Wrote {target} ({summary.size:,} bytes): {summary.total:,} rows in {len(held)} records.")
        for name, count in held.items():
            self.stdout.write(f"  {name:<{width}}  {count:,}")
