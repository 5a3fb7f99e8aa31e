"""Writes of the shop that span models, send email or call an API."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.mail import send_templated_email
from shop.models import ConsultationRequest, Review, SavedSearch, Service
from shop.selectors import review_eligibility

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


SAVED_SEARCH_LIMIT = 50


@transaction.atomic
def review_create(*, user, service: Service, rating: int, title: str, body: str) -> Review:
    """Create a customer's review of a service they bought, awaiting moderation (P02).

    Writes one Review (status pending). Raises ValidationError when the user has not bought
    the service, has already reviewed it, or the fields are out of range; nothing is written.
    """
    eligibility = review_eligibility(user=user, service=service)
    if not eligibility.can_review:
        raise ValidationError(eligibility.reason, code="not_eligible")
    review = Review(service=service, user=user, rating=rating, title=title, body=body)
    # Field validators check the rating; uniqueness is left to the database constraint below.
    review.full_clean(
        exclude=["status", "moderated_at", "moderated_by"], validate_unique=False, validate_constraints=False
    )
    try:
        # A second tab posting at the same moment meets the unique constraint, not a 500.
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ValidationError("You have already reviewed this service.", code="duplicate") from None
    return review


@transaction.atomic
def review_moderate(*, review: Review, status: str, moderator) -> Review:
    """Publish or reject a review (or put it back to pending), recording who and when.

    Writes the review's status, moderated_at and moderated_by. Raises ValidationError for
    an unknown status.
    """
    if status not in Review.Status.values:
        raise ValidationError(f"Unknown review status: {status}.", code="invalid_status")
    review.status = status
    review.moderated_at = timezone.now()
    review.moderated_by = moderator
    review.save(update_fields=["status", "moderated_at", "moderated_by"])
    return review


@transaction.atomic
def saved_search_create(*, user, name: str, query: str) -> SavedSearch:
    """Save a catalogue search for a customer (P03). `query` must already be normalised
    (ServiceFilterForm.query_string).

    Writes one SavedSearch. Raises ValidationError when the customer already has
    SAVED_SEARCH_LIMIT saved searches.
    """
    # Lock the customer's row so two saves at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    if SavedSearch.objects.filter(user=user).count() >= SAVED_SEARCH_LIMIT:
        raise ValidationError(
            f"You can keep up to {SAVED_SEARCH_LIMIT} saved searches. Delete one to save another.",
            code="limit",
        )
    saved = SavedSearch(user=user, name=name.strip(), query=query)
    saved.full_clean(exclude=["user"])
    saved.save()
    return saved


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    """Delete a saved search. Writes: removes the row."""
    saved_search.delete()
