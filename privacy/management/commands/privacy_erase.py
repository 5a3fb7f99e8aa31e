"""``manage.py privacy_erase --email E --yes [--reason child]``: erase a person by hand (P20, P12)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from privacy.selectors.erasure import erasure_preview
from privacy.services import ErasureRefused, subject_erase
from privacy.services.erasure import CHILD_ACCOUNT
from privacy.subjects import Subject

REASONS = {"request": "Erasure asked for by the person", "child": CHILD_ACCOUNT}


class Command(BaseCommand):
    help = (
        "Erase the person known by an email address (their account, if one has it, and every record "
        "with the address), as each app's personal_data.py declares. Shows what would be done unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The person's email address.")
        parser.add_argument("--yes", action="store_true", help="Erase: this cannot be undone.")
        parser.add_argument(
            "--reason", choices=sorted(REASONS), default="request", help="request (default) or child (P12)."
        )

    def handle(self, *args, email, yes=False, reason="request", **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        subject = Subject.of(email=email)
        preview = erasure_preview(subject)
        if subject.user_id is None and not preview:
            raise CommandError(f"No account or record holds {email}: there is nothing to erase.")
        if not yes:
            self.stdout.write(f"Erasing {email} would do this:")
            for item in preview:
                self.stdout.write(f"  {item['record']} ({item['label']}): {item['count']}, {item['detail']}")
            raise CommandError("An erasure cannot be undone: run again with --yes to erase.")
        try:
            result = subject_erase(subject=subject, reason=REASONS[reason])
        except ErasureRefused as exc:
            raise CommandError(f"Erasure refused: {exc}") from None
        self.stdout.write(f"Erased (log entry {result.log_id}).")
        width = max([len(label) for label in result.counts] + [5])
        for label, counts in result.counts.items():
            self.stdout.write(f"{label:<{width}}  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
