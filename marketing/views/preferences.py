"""The preference centre at /account/preferences/ (P05, P22, P27) and phone verification.

Mounted in the account area under the ``accounts`` namespace by the project's urls
(``accounts:preferences``), since accounts may not import marketing.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.consents import OPT_IN_WORDING
from accounts.views import account_page
from marketing import services
from marketing.conf import settings as marketing_settings
from marketing.forms.preferences import MarketingChoicesForm, PhoneCodeForm, PhoneNumberForm
from marketing.models import PhoneNumber
from marketing.selectors import preference_centre_for_user
from privacy import purposes

CHANNEL_PURPOSES = ("email_marketing", "sms_marketing", "postal_marketing")
CHANNEL_DONE = {
    ("postal_marketing", "give"): "Postal marketing: you no longer object. We may post you mailers again.",
    ("postal_marketing", "withdraw"): "Postal marketing: objection recorded. We will post you no more mailers.",
}


def _choices_form(centre, data=None):
    categories = [row["category"] for row in centre["interests"]]
    initial = {
        "categories": [row["category"].pk for row in centre["interests"] if row["chosen_at"]],
        "messages": [row["topic"].value for row in centre["message_topics"] if row["chosen_at"]],
        "brands": [row["topic"].value for row in centre["brands"] if row["chosen_at"]],
        "time_zone": centre["time_zone"],
    }
    return MarketingChoicesForm(data, initial=initial, categories=categories)


def _render_centre(request, centre, form, status=200):
    context = {**centre, "form": form, "section": "preferences"}
    return render(request, "marketing/preferences_edit.html", context, status=status)


@account_page
@require_http_methods(["GET", "POST"])
def preference_centre(request):
    """The page, and one channel switched on or off with one button (P27: withdrawing takes
    no more steps than giving). "Your data" posts the same form; ``next`` brings the
    customer back there."""
    if request.method == "GET":
        centre = preference_centre_for_user(user=request.user)
        return _render_centre(request, centre, _choices_form(centre))
    purpose, action = request.POST.get("purpose", ""), request.POST.get("action", "")
    if purpose not in CHANNEL_PURPOSES or action not in ("give", "withdraw"):
        return HttpResponseBadRequest(
            "Choose email offers, text offers or post, and whether to switch it on or off.", content_type="text/plain"
        )
    name = purposes.get(purpose).name
    try:
        services.marketing_channel_set(user=request.user, purpose=purpose, give=action == "give")
    except services.PreferenceError as error:
        messages.error(request, str(error))
        if purpose == "sms_marketing":
            return redirect("accounts:preferences_phone")
    else:
        done = CHANNEL_DONE.get((purpose, action))
        if done is None:
            done = (
                f"{name}: thank you, your consent is recorded."
                if action == "give"
                else f"{name}: consent withdrawn. It stops now."
            )
        messages.success(request, done)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("accounts:preferences")
    return redirect(target)


@account_page
@require_POST
def preference_choices(request):
    """Save interests, preferred messages and brands, and the time zone."""
    centre = preference_centre_for_user(user=request.user)
    form = _choices_form(centre, request.POST)
    if not form.is_valid():
        return _render_centre(request, centre, form, status=400)
    changed = services.marketing_choices_update(
        user=request.user,
        categories=form.cleaned_data["categories"],
        topics=[*form.cleaned_data["messages"], *form.cleaned_data["brands"]],
        time_zone=form.cleaned_data["time_zone"],
    )
    messages.success(
        request, "Your choices are saved." if changed else "Nothing changed: your choices are as they were."
    )
    return redirect(reverse("accounts:preferences") + "#choices")


@account_page
@require_POST
def preference_receipt(request):
    """Email the customer a receipt of their current choices, with dates."""
    services.preferences_receipt_send(user=request.user)
    messages.success(request, f"We have emailed a receipt of your choices to {request.user.email}.")
    return redirect("accounts:preferences")


@account_page
@require_http_methods(["GET", "POST"])
def phone_verify(request):
    """Text alerts: enter a mobile number, get a 6-digit code by text, enter it (double
    opt-in); only then is text marketing consent recorded, for that number."""
    phone = PhoneNumber.objects.filter(user=request.user).first()
    number_form = PhoneNumberForm(initial={"number": phone.number if phone else ""})
    code_form = PhoneCodeForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "send":
                number_form = PhoneNumberForm(request.POST)
                if number_form.is_valid():
                    phone = services.phone_verification_start(
                        user=request.user, number=number_form.cleaned_data["number"]
                    )
                    messages.success(request, f"We have texted a 6-digit code to {phone.number.as_international}.")
                    return redirect("accounts:preferences_phone")
                status = 400
            elif action == "resend" and phone is not None:
                phone = services.phone_verification_start(user=request.user, number=phone.number)
                messages.success(request, f"We have texted a new code to {phone.number.as_international}.")
                return redirect("accounts:preferences_phone")
            elif action == "verify":
                code_form = PhoneCodeForm(request.POST)
                if code_form.is_valid():
                    services.phone_verification_confirm(user=request.user, code=code_form.cleaned_data["code"])
                    messages.success(
                        request, "Your number is verified and text offers are on. Reply STOP to any text to stop them."
                    )
                    return redirect("accounts:preferences")
                status = 400
            else:
                return HttpResponseBadRequest("Send a code, send it again, or enter it.", content_type="text/plain")
        except services.PhoneVerificationError as error:
            messages.error(request, str(error))
            return redirect("accounts:preferences_phone")
    phone = PhoneNumber.objects.filter(user=request.user).first()
    context = {
        "phone": phone,
        "code_pending": bool(phone and phone.code_hash and not phone.is_verified),
        "number_form": number_form,
        "code_form": code_form,
        "opt_in_wording": OPT_IN_WORDING["sms_marketing"],
        "code_minutes": marketing_settings.PHONE_CODE_MINUTES,
        "code_attempts": marketing_settings.PHONE_CODE_ATTEMPTS,
        "section": "preferences",
    }
    return render(request, "marketing/phone_verify.html", context, status=status)
