"""Transactional email: every message is rendered from a text and an HTML template that
extend `email/base.txt` and `email/base.html`, whose footer says that we never ask for
card or bank details by email (P16)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, to, template, context=None, headers=None):
    """Render `email/<template>_subject.txt`, `.txt` and `.html` and send one message.

    Sends: one email to the `to` list. Raises whatever the email backend raises.
    """
    context = {
        "SITE_URL": settings.SITE_URL,
        "COMPANY_NAME": settings.COMPANY_NAME,
        "COMPANY_EMAIL": settings.COMPANY_EMAIL,
        "COMPANY_PHONE": settings.COMPANY_PHONE,
        **(context or {}),
    }
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
    text = render_to_string(f"email/{template}.txt", context)
    html = render_to_string(f"email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to), headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message
