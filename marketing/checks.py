"""System checks of the marketing app.

marketing.W001  (deploy) the email provider's webhook has no basic-auth secret
"""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_secret(app_configs=None, **kwargs):
    """marketing.W001: without ANYMAIL_WEBHOOK_SECRET anyone could post fake unsubscribes,
    complaints and bounces to /anymail/<provider>/tracking/."""
    if not settings.EMAIL_BACKEND.startswith("anymail.") or getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        return []
    return [
        checks.Warning(
            "The email provider's tracking webhook accepts events from anyone.",
            hint="Set ANYMAIL_WEBHOOK_SECRET (user:password) and put the same credentials in the provider's "
            "webhook URL: https://user:password@<host>/anymail/<provider>/tracking/.",
            id="marketing.W001",
        )
    ]
