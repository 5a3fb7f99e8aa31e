"""Transactional email: every message is rendered from a text and an HTML template that
extend `email/base.txt` and `email/base.html`, whose footer says that we never ask for
card or bank details by email (P16).

The sender is privacy's (``privacy.mail``), which imports no other app; accounts names its
templates under ``email/``.
"""

from privacy import mail


def send_templated_email(*, to, template, context=None, headers=None):
    """Render `email/<template>_subject.txt`, `.txt` and `.html` and send one message.

    Sends: one email to the `to` list. Raises whatever the email backend raises.
    """
    return mail.send_templated_email(to=to, template=f"email/{template}", context=context, headers=headers)
