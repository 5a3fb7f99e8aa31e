"""``manage.py privacy_replay_erasures``: after a database restore, erase again everyone the
erasure log says was erased (PR-04). Safe to run twice: the second run changes nothing."""

from django.core.management.base import BaseCommand

from privacy import erasure_log
from privacy.services.erasure import erasure_replay


class Command(BaseCommand):
    help = (
        "Re-apply every logged erasure to the database as it is now, e.g. right after restoring a backup "
        "taken before some of them, and before the site takes requests again."
    )

    def handle(self, *args, **options):
        entry_ids = erasure_log.entry_ids()
        if not entry_ids:
            self.stdout.write("The erasure log is empty: nothing to replay.")
            return
        applied = 0
        for entry_id in entry_ids:
            result = erasure_replay(entry=erasure_log.read(entry_id))
            rows = sum(n for per_model in result["counts"].values() for n in per_model.values())
            applied += result["status"] == "applied"
            detail = f" ({rows:,} rows in {len(result['counts'])} models)" if result["counts"] else ""
            self.stdout.write(f"{entry_id}: {result['status']}{detail}")
        self.stdout.write(f"{len(entry_ids)} logged erasures, {applied} applied again.")
