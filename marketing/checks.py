"""System checks of marketing's settings.

marketing.E001  the Twilio SMS backend is chosen without its three settings
marketing.E002  the text alert window is not two hours of the day, start before end
marketing.W001  (deploy) the email provider's webhook has no basic-auth secret
"""

from django.conf import settings as django_settings
from django.core import checks

from marketing.conf import TWILIO, settings

TWILIO_BACKEND = "marketing.sms.backends.twilio.SmsBackend"


@checks.register("marketing")
def check_sms_settings(app_configs=None, **kwargs):
    errors = []
    if settings.SMS_BACKEND == TWILIO_BACKEND:
        missing = [name for name in TWILIO if not getattr(settings, name)]
        if missing:
            errors.append(
                checks.Error(
                    f"MARKETING_SMS_BACKEND is Twilio but {', '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set.",
                    hint="Set them in the environment (see .env.example), or use the console backend.",
                    id="marketing.E001",
                )
            )
    window = settings.SMS_SEND_WINDOW
    if not (isinstance(window, tuple | list) and len(window) == 2 and 0 <= window[0] < window[1] <= 24):
        errors.append(
            checks.Error(
                "MARKETING_SMS_SEND_WINDOW must be (start hour, end hour) with 0 <= start < end <= 24, "
                f"not {window!r}.",
                id="marketing.E002",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_secret(app_configs=None, **kwargs):
    """marketing.W001: without ANYMAIL_WEBHOOK_SECRET anyone could post fake unsubscribes,
    complaints and bounces to /anymail/<provider>/tracking/."""
    secret = getattr(django_settings, "ANYMAIL", {}).get("WEBHOOK_SECRET")
    if not django_settings.EMAIL_BACKEND.startswith("anymail.") or secret:
        return []
    return [
        checks.Warning(
            "The email provider's tracking webhook accepts events from anyone.",
            hint="Set ANYMAIL_WEBHOOK_SECRET (user:password) and put the same credentials in the provider's "
            "webhook URL: https://user:password@<host>/anymail/<provider>/tracking/.",
            id="marketing.W001",
        )
    ]
