"""Writes of the shop that span models, send email or call an API."""

import logging

from django.db import transaction

from accounts.mail import send_templated_email
from shop.models import ConsultationRequest

logger = logging.getLogger(__name__)


# --- consultation (P37) ------------------------------------------------------------
@transaction.atomic
def consultation_request_create(*, name, email, phone, company, message, user=None):
    """Store a free consultation request (P37) and confirm it to the requester.

    Writes: one ConsultationRequest. Sends (after commit): the "consultation received"
    email to `email`, which repeats neither the message nor anything but the name; a
    failure to send is logged, never raised.
    """
    consultation = ConsultationRequest.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        name=name,
        email=email,
        phone=phone,
        company=company,
        message=message,
    )

    def send_consultation_received():
        # The request is saved before the mail goes out, so a mail server failure is
        # logged for staff rather than shown to the visitor as an error. The log names
        # the request id and the error type only: mail errors can quote the address.
        try:
            send_templated_email(
                to=[consultation.email], template="shop/consultation_received", context={"name": consultation.name}
            )
        except Exception as error:
            logger.error(
                "Consultation request %s: confirmation email not sent (%s)", consultation.pk, type(error).__name__
            )

    transaction.on_commit(send_consultation_received)
    return consultation


@transaction.atomic
def consultation_request_set_status(*, consultation_requests, status):
    """Move consultation requests to `status` (contacted or closed) in one statement.

    Writes: the status of the requests not already there. Returns how many changed.
    Raises ValueError for a status that does not exist.
    """
    status = ConsultationRequest.Status(status)
    return consultation_requests.exclude(status=status).update(status=status)
