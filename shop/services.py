"""Writes of the shop that span models, send email or call an API."""

from functools import partial

from django.db import transaction

from accounts.mail import send_templated_email
from shop.models import ConsultationRequest


# --- consultation (P37) ------------------------------------------------------------
@transaction.atomic
def consultation_request_create(*, name, email, phone, company, message, user=None):
    """Store a free consultation request (P37) and confirm it to the requester.

    Writes: one ConsultationRequest. Sends (after commit): the "consultation received"
    email to `email`, which repeats neither the message nor anything but the name.
    """
    consultation = ConsultationRequest.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        name=name,
        email=email,
        phone=phone,
        company=company,
        message=message,
    )
    transaction.on_commit(
        partial(
            send_templated_email,
            to=[consultation.email],
            template="shop/consultation_received",
            context={"name": consultation.name},
        )
    )
    return consultation


@transaction.atomic
def consultation_request_set_status(*, consultation_requests, status):
    """Move consultation requests to `status` (contacted or closed) in one statement.

    Writes: the status of the requests not already there. Returns how many changed.
    Raises ValueError for a status that does not exist.
    """
    status = ConsultationRequest.Status(status)
    return consultation_requests.exclude(status=status).update(status=status)
