import os
import textwrap

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_STAFF_TOTP_SECRET, DEMO_TOTP_SECRET
from kinetogram.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Fill the database with the demo catalogue, a staff account and demo customers. "
        "Safe to run again: it creates nothing twice. Reads DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD "
        "and DEMO_CUSTOMER_PASSWORD from the environment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-images", action="store_true", help="Do not draw pictures for services.")

    def handle(self, *args, **options):
        summary = demo_seed(
            staff_email=os.environ.get("DEMO_STAFF_EMAIL") or None,
            staff_password=os.environ.get("DEMO_STAFF_PASSWORD") or None,
            customer_password=os.environ.get("DEMO_CUSTOMER_PASSWORD") or None,
            images=not options["no_images"],
        )
        site = settings.SITE_URL
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data ready."))
        counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
        out.write(textwrap.fill(counts, width=100, initial_indent="  ", subsequent_indent="  "))
        out.write("")
        out.write(f"  Shop:           {site}/")
        out.write(f"  Services:       {site}/services/")
        out.write(f"  Consultation:   {site}/consultation/")
        out.write(f"  Staff admin:    {site}/admin/")
        out.write("")
        out.write(f"  Staff login:    {summary.staff_email}")
        if summary.staff_password and summary.staff_created and not os.environ.get("DEMO_STAFF_PASSWORD"):
            out.write(f"  Staff password: {summary.staff_password}")
            out.write(
                self.style.WARNING("                  (shown once: note it now, it is not stored in clear anywhere)")
            )
        elif summary.staff_password:
            out.write("  Staff password: the one in DEMO_STAFF_PASSWORD")
        else:
            out.write("  Staff password: printed when the account was created (set DEMO_STAFF_PASSWORD to reset it)")
        out.write(
            f"  Staff two-factor: add the key {DEMO_STAFF_TOTP_SECRET} to an authenticator app "
            "(a public demo key: the admin asks for the code)"
        )
        out.write("")
        out.write(f"  Customer logins ({site}/accounts/login/):")
        for email in summary.customer_emails:
            out.write(f"    {email}")
        if os.environ.get("DEMO_CUSTOMER_PASSWORD"):
            out.write("  Customer password: the one in DEMO_CUSTOMER_PASSWORD")
        else:
            out.write(f"  Customer password: {summary.customer_password}")
        if summary.two_factor_customer:
            out.write(
                f"  {summary.two_factor_customer} signs in with two-factor: add the key "
                f"{DEMO_TOTP_SECRET} to an authenticator app"
            )
            if summary.recovery_codes:
                out.write(f"  or use a recovery code: {', '.join(summary.recovery_codes[:3])}")
