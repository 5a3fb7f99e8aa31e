"""Public pages: contests (list, detail and entry, the confirmation link) and surveys.

Each view parses the request, calls one service or selector and renders. Refusals are 4xx
pages with the reason (a closed contest is 403, a second entry 409, a flood 429), never 500.
"""

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from contests import selectors, services
from contests.conf import settings as contests_settings
from contests.forms import EntryForm, SurveyForm
from contests.models import CONFIRM_LINK_DAYS, PendingEntry
from privacy import ratelimit

HOUR, DAY = 3600, 24 * 3600


def _flooded(request, scope: str, limit: int) -> bool:
    return not ratelimit.allow(scope, ratelimit.client_ip(request), limit=limit, seconds=HOUR)


@require_http_methods(["GET"])
def contest_list(request):
    return render(request, "contests/contest_list.html", selectors.contest_listing())


@never_cache
@require_http_methods(["GET", "POST"])
def contest_detail(request, slug):
    contest = selectors.contest_for_page(slug)
    if contest is None:
        raise Http404("No such contest.")
    signed_in = request.user.is_authenticated
    entry = selectors.entry_of(contest=contest, user=request.user)
    form = EntryForm(request.POST if request.method == "POST" else None, signed_in=signed_in)
    status, refusal = 200, ""
    if request.method == "POST":
        if _flooded(request, "contest-entry-ip", contests_settings.ENTRIES_PER_IP_PER_HOUR):
            return render(request, "429.html", status=429)
        closed = services.entry_refusal(contest)
        if closed is not None:
            # Before the form: a closed contest says so whatever was filled in.
            status, refusal = closed.status, str(closed)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if signed_in:
                    services.entry_create(
                        contest=contest,
                        user=request.user,
                        age_confirmed=data["age_confirmed"],
                        email_offers=data["email_offers"],
                    )
                    messages.success(request, "You are entered. Good luck!")
                    return redirect(contest)
                if ratelimit.allow(
                    "contest-entry-email",
                    data["email"].lower(),
                    limit=contests_settings.CONFIRMATIONS_PER_EMAIL_PER_DAY,
                    seconds=DAY,
                ):
                    services.pending_entry_create(
                        contest=contest,
                        email=data["email"],
                        age_confirmed=data["age_confirmed"],
                        email_offers=data["email_offers"],
                    )
                return render(
                    request,
                    "contests/entry_sent.html",
                    {"contest": contest, "email": data["email"], "link_days": CONFIRM_LINK_DAYS},
                )
            except services.EntryRefused as refused:
                status, refusal = refused.status, str(refused)
        else:
            status = 400
    closed = services.entry_refusal(contest)
    context = {
        "contest": contest,
        "form": form,
        "entry": entry,
        "refusal": refusal,
        "closed_reason": str(closed) if closed else "",
    }
    return render(request, "contests/contest_detail.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def entry_confirm(request, token):
    """The link emailed to an entrant without an account. Confirming needs a POST, so a mail
    scanner opening the link enters nobody (FE-05)."""
    try:
        pending = services.pending_entry_from_token(token)
    except signing.SignatureExpired:
        return render(request, "contests/entry_link_invalid.html", {"expired": True}, status=410)
    except (signing.BadSignature, PendingEntry.DoesNotExist):
        return render(request, "contests/entry_link_invalid.html", {"expired": False}, status=404)
    if request.method == "POST":
        try:
            entry, created = services.entry_confirm(pending=pending)
        except services.EntryRefused as refused:
            context = {"contest": pending.contest, "refusal": str(refused)}
            return render(request, "contests/entry_confirm.html", context, status=refused.status)
        return render(request, "contests/entry_confirmed.html", {"contest": entry.contest, "created": created})
    return render(request, "contests/entry_confirm.html", {"contest": pending.contest, "pending": pending})


# --- surveys ----------------------------------------------------------------------------------


@require_http_methods(["GET"])
def survey_list(request):
    return render(request, "contests/survey_list.html", {"surveys": selectors.open_surveys()})


@never_cache
@require_http_methods(["GET", "POST"])
def survey_detail(request, slug):
    survey = selectors.survey_for_page(slug)
    if survey is None:
        raise Http404("No such survey.")
    answered = selectors.has_answered(survey=survey, user=request.user)
    form = SurveyForm(request.POST if request.method == "POST" else None, questions=survey.questions.all())
    status, refusal = 200, ""
    if request.method == "POST":
        if _flooded(request, "survey-response-ip", contests_settings.RESPONSES_PER_IP_PER_HOUR):
            return render(request, "429.html", status=429)
        if form.is_valid():
            try:
                services.response_submit(survey=survey, answers=form.answers(), user=request.user)
            except services.ResponseRefused as refused:
                status, refusal = refused.status, str(refused)
            else:
                return redirect("surveys:thanks", slug=survey.slug)
        else:
            status = 400
    context = {"survey": survey, "form": form, "answered": answered, "refusal": refusal}
    return render(request, "contests/survey_detail.html", context, status=status)


@require_http_methods(["GET"])
def survey_thanks(request, slug):
    survey = selectors.survey_for_page(slug)
    if survey is None:
        raise Http404("No such survey.")
    return render(request, "contests/survey_thanks.html", {"survey": survey})
