"""Public privacy pages (the policy generated from the code, the DPO's contact), the
changed-policy acknowledgement, and the cookie settings and choice (P29-P31)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST, require_safe

from privacy import cookies, selectors
from privacy.conf import settings as privacy_settings
from privacy.models import PolicyVersion
from privacy.services import cookie_choice_record, policy_acknowledge


def _safe_next(request, default="/"):
    """Where to go back to: ``next``, else the same-site Referer, else ``default``.

    Pages do not echo their own address into their forms (it may hold an order-link
    token); the browser's same-origin Referer says where the form was sent from.
    """
    target = request.POST.get("next") or request.GET.get("next") or request.headers.get("Referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def policy_acknowledge_view(request):
    """The "I have read it" button of the changed-policy notice (P35)."""
    try:
        version = PolicyVersion.objects.get(pk=int(request.POST.get("version", "")))
    except (ValueError, PolicyVersion.DoesNotExist):
        return HttpResponseBadRequest("That policy version does not exist.")
    policy_acknowledge(user=request.user, policy_version=version, session=request.session)
    return redirect(_safe_next(request))


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


# --- cookies (P29-P31) ---------------------------------------------------------------
CHOICES = {"accept": "Accept all", "reject": "Reject all", "custom": "Save my choices"}


@require_GET
def cookie_settings(request):
    """The cookie table, rendered from the registry (P29, P31), and the choice form."""
    return render(
        request,
        "privacy/cookie_settings.html",
        {
            "declared_cookies": cookies.declared_cookies(),
            "next": _safe_next(request, ""),
            # The page is the choice itself; the banner would repeat it.
            "hide_cookie_banner": True,
        },
    )


@require_POST
def cookie_choice(request):
    """Accept all, Reject all or the ticked categories: recorded in the ledger, kept in the
    consent cookie (P30), enforced from this response on."""
    choice = request.POST.get("choice", "")
    if choice not in CHOICES:
        return HttpResponseBadRequest("Choose Accept all, Reject all or Save my choices.", content_type="text/plain")
    if choice == "accept":
        categories = set(cookies.OPTIONAL_CATEGORIES)
    elif choice == "reject":
        categories = set()
    else:
        categories = set(request.POST.getlist("categories"))
        unknown = categories - set(cookies.OPTIONAL_CATEGORIES)
        if unknown:
            return HttpResponseBadRequest("Unknown cookie category.", content_type="text/plain")
    previous = request.cookie_consent
    consent_id, allowed, value = cookie_choice_record(
        categories=categories,
        choice=CHOICES[choice],
        consent_id=previous.consent_id,
        user=request.user,
        gpc=previous.gpc,
    )
    # The middleware enforces request.cookie_consent on this very response, so a refusal
    # expires the refused cookies at once.
    request.cookie_consent = cookies.CookieConsent(
        consent_id=consent_id, categories=allowed, version="", has_choice=True, gpc=previous.gpc
    )
    messages.success(request, "Your cookie choices are saved. Change them any time from “Cookie settings”.")
    response = redirect(_safe_next(request, reverse("privacy:cookies")))
    cookies.set_consent_cookie(request, response, value)
    return response
