"""Public privacy pages: the policy generated from the code, and the DPO's contact."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from privacy import selectors
from privacy.conf import settings as privacy_settings


@require_safe
def policy_detail(request):
    """/privacy/: the privacy policy, its data sections rendered from the declarations."""
    return render(request, "privacy/policy_detail.html", selectors.policy_page())


@require_safe
def contact_detail(request):
    """/privacy/contact/: how to reach the Data Protection Officer (P33)."""
    return render(
        request, "privacy/contact_detail.html", {"dpo": selectors.dpo_contact(), "ico_url": privacy_settings.ICO_URL}
    )
