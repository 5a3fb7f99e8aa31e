"""The public request form (P25) and its confirmation link, for anyone, with or without an
account. The same answer and the same email whether or not the address has an account
(IN-05, AU-06); confirmation needs a POST, so a mail scanner opening the link confirms nothing.
"""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from privacy import ratelimit
from privacy.conf import settings as privacy_settings
from privacy.forms import SubjectRequestForm
from privacy.models import SubjectRequest
from privacy.services.requests import (
    RequestError,
    request_from_token,
    subject_request_create,
    subject_request_verify,
)

DAY = 24 * 3600
#: A flood from one address is refused with 429; an email address beyond its daily share is
#: answered as usual but nothing more is sent to it.
PER_IP_PER_HOUR = 10
PER_EMAIL_PER_DAY = 3


@never_cache
@require_http_methods(["GET", "POST"])
def request_create(request):
    form = SubjectRequestForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow("dsr-ip", ratelimit.client_ip(request), limit=PER_IP_PER_HOUR, seconds=3600):
            return render(request, "429.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            if not form.is_bot() and ratelimit.allow(
                "dsr-email", data["email"].lower(), limit=PER_EMAIL_PER_DAY, seconds=DAY
            ):
                subject_request_create(
                    kind=data["kind"],
                    email=data["email"],
                    details=data["details"],
                    scope=data["scope"] if data["kind"] == SubjectRequest.Kind.RESTRICTION else "",
                )
            return render(
                request,
                "privacy/request_sent.html",
                {"email": data["email"], "link_days": privacy_settings.REQUEST_LINK_DAYS},
            )
    status = 400 if form.is_bound else 200
    return render(request, "privacy/request_form.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def request_verify(request, token):
    try:
        subject_request = request_from_token(token)
    except signing.SignatureExpired:
        return render(request, "privacy/request_link_invalid.html", {"expired": True}, status=410)
    except (signing.BadSignature, SubjectRequest.DoesNotExist):
        return render(request, "privacy/request_link_invalid.html", {"expired": False}, status=404)
    already = subject_request.verified_at is not None or not subject_request.is_open
    if request.method == "POST" and not already:
        try:
            subject_request = subject_request_verify(request=subject_request, method=SubjectRequest.Verification.LINK)
        except RequestError:
            already = True
        else:
            return render(request, "privacy/request_verified.html", {"subject_request": subject_request})
    return render(request, "privacy/request_verify.html", {"subject_request": subject_request, "already": already})
