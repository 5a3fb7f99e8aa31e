"""Email the privacy hub sends to the people whose data it holds.

Rendered exactly as the project's other transactional email (the text and HTML extend
``email/base.txt`` and ``email/base.html``, whose footer says we never ask for card or bank
details, P16); privacy keeps its own sender because it imports no other app.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, to, template, context=None, headers=None):
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` and send one message.

    ``template`` is a path under templates/ without the suffix, e.g.
    ``privacy/email/export_ready``. Sends one email to the ``to`` list. Raises whatever the
    email backend raises.
    """
    context = {
        "SITE_URL": settings.SITE_URL,
        "COMPANY_NAME": settings.COMPANY_NAME,
        "COMPANY_EMAIL": settings.COMPANY_EMAIL,
        "COMPANY_PHONE": settings.COMPANY_PHONE,
        **(context or {}),
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to), headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message
