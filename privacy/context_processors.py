import functools

from privacy.selectors.policy import policy_review_pending


def policy_notice(request):
    """``policy_review_pending``: the material policy version a signed-in customer has not reviewed (P35).

    Lazy: the lookup runs only when a template shows the notice (the admin never does), and
    at most once per response.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def pending():
        return policy_review_pending(user=user, session=getattr(request, "session", None))

    return {"policy_review_pending": pending}
