from django.core.management.base import BaseCommand, CommandError

from marketing.models import Campaign
from marketing.services import CampaignError, campaign_count, campaign_deliver, campaign_send_now


class Command(BaseCommand):
    help = (
        "Send the campaign SLUG now, in this process, through the same sending service the admin's "
        "task runs (batches, consent checked per batch, nobody emailed twice). With --dry-run, count "
        "who would receive it and send nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--dry-run", action="store_true", help="Count the recipients; send nothing.")
        parser.add_argument("--batch-size", type=int, default=None, help="Recipients per batch.")

    def handle(self, *args, slug, dry_run, batch_size, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            known = ", ".join(Campaign.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
            raise CommandError(f"No campaign has the slug {slug!r}. Campaigns: {known}.")
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if dry_run:
            counts = campaign_count(campaign=campaign, batch_size=batch_size)
            self.stdout.write(
                f"Dry run of “{campaign}”: {counts['recipients']} would receive it now; "
                f"{counts['suppressed']} left out as suppressed; {counts['already_sent']} already in the send log. "
                "Nothing was sent."
            )
            return
        if campaign.status != Campaign.Status.SENDING:
            try:
                campaign_send_now(campaign=campaign, queue=False)
            except CampaignError as error:
                raise CommandError(str(error)) from None

        def progress(report):
            self.stdout.write(
                f"  batch {report.batches}: {report.sent} sent, {report.failed} failed, "
                f"{report.suppressed} suppressed so far"
            )

        report = campaign_deliver(campaign_id=campaign.pk, batch_size=batch_size, progress=progress)
        if report.state == "not_started":
            campaign.refresh_from_db()
            raise CommandError(
                f"“{campaign}” is {campaign.get_status_display().lower()} and another run holds it; "
                "nothing was sent. Try again when that run has stopped."
            )
        summary = (
            f"“{campaign}”: {report.state}. {report.sent} sent, {report.failed} failed, "
            f"{report.suppressed} left out as suppressed, in {report.batches} batch(es)"
        )
        if report.interrupted:
            summary += f"; {report.interrupted} left by an interrupted run, not sent again"
        self.stdout.write(self.style.SUCCESS(summary + "."))
