"""'My services' actions: change plan, end now, resume, keep the current plan, and the
payment provider's customer portal. Every change is a POST with CSRF, on the customer's
own subscription only (anything else is a 404, AC-01)."""

import logging
from datetime import UTC, datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop import payments, selectors
from shop import services_subscriptions as subs
from shop.services import CheckoutRefused

logger = logging.getLogger(__name__)

QUOTE_SALT = "shop.plan_change_quote"
#: A confirmation page's price holds this long; after that the change is priced at the POST.
QUOTE_MAX_AGE = 15 * 60

PROVIDER_DOWN = "We could not reach our payment provider; nothing changed. Please try again later."
DECLINED = (
    "Your card was declined for the prorated charge, so your plan has not changed. Update your card and try again."
)


def _own_subscription(request, pk):
    subscription = selectors.subscription_for_user(user=request.user, pk=pk)
    if subscription is None:
        raise Http404
    return subscription


class PlanChoiceForm(forms.Form):
    plan = forms.IntegerField(min_value=1, error_messages={"required": "Choose a plan.", "invalid": "Choose a plan."})


def _quote(subscription, plan, now):
    return signing.dumps({"s": subscription.pk, "p": plan.pk, "t": int(now.timestamp())}, salt=QUOTE_SALT)


def _quoted_moment(subscription, plan, token):
    """The moment the confirmation page priced the change at, so the customer pays what
    they were shown (as Stripe's proration_date does); None for a missing, tampered,
    foreign or stale quote."""
    try:
        quote = signing.loads(token or "", salt=QUOTE_SALT, max_age=QUOTE_MAX_AGE)
    except signing.BadSignature:
        return None
    if quote.get("s") != subscription.pk or quote.get("p") != plan.pk:
        return None
    return datetime.fromtimestamp(int(quote["t"]), tz=UTC)


def _chosen_plan(subscription, data):
    form = PlanChoiceForm(data)
    if not form.is_valid():
        return None
    options = {plan.pk: plan for plan in subs.plan_change_options(subscription=subscription)}
    return options.get(form.cleaned_data["plan"])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription_change(request, pk):
    """GET without a plan: the plans to choose from. GET with ?plan=: the confirmation,
    with the prorated amount computed here. POST: make the change."""
    subscription = _own_subscription(request, pk)
    options = subs.plan_change_options(subscription=subscription)
    context = {"subscription": subscription, "section": "services", "options": []}
    if request.method == "GET" and "plan" not in request.GET:
        context["options"] = [(plan, subs.plan_change_kind(subscription=subscription, plan=plan)) for plan in options]
        return render(request, "shop/subscription_change.html", context)
    data = request.POST if request.method == "POST" else request.GET
    plan = _chosen_plan(subscription, data)
    if plan is None:
        messages.error(request, "That plan is not available for this service. Choose one of the plans listed.")
        context["options"] = [(p, subs.plan_change_kind(subscription=subscription, plan=p)) for p in options]
        return render(request, "shop/subscription_change.html", context, status=400)
    try:
        if request.method == "POST":
            change = subs.subscription_change_plan(
                subscription=subscription,
                plan=plan,
                user=request.user,
                now=_quoted_moment(subscription, plan, request.POST.get("quote")),
            )
        else:
            change = subs.plan_change_preview(subscription=subscription, plan=plan, user=request.user)
    except CheckoutRefused as exc:
        messages.error(request, str(exc))
        return redirect("shop:subscription_list")
    except payments.PaymentError as exc:
        messages.error(request, PROVIDER_DOWN if isinstance(exc, payments.TransientPaymentError) else DECLINED)
        return redirect("shop:subscription_list")
    if request.method == "POST":
        if change.is_upgrade:
            messages.success(
                request,
                f"Done: you are now on {plan.name}. We charged £{change.proration.total:,.2f} for the rest of "
                "this period.",
            )
        else:
            messages.success(
                request,
                f"Done: {plan.name} starts on {date_format(localtime(change.starts_at), 'j F Y')}. Until then you keep "
                f"{subscription.plan_name}, and nothing is charged now.",
            )
        return redirect("shop:subscription_list")
    context.update(change=change, plan=plan, quote=_quote(subscription, plan, change.now))
    return render(request, "shop/subscription_change_confirm.html", context)


@never_cache
@login_required
@require_POST
def subscription_cancel_now(request, pk):
    subscription = _own_subscription(request, pk)
    try:
        subs.subscription_cancel_now(subscription=subscription, user=request.user)
    except CheckoutRefused as exc:
        messages.error(request, str(exc))
    except payments.PaymentError:
        messages.error(request, PROVIDER_DOWN)
    else:
        messages.success(request, "Ended: the plan stopped today. Nothing was refunded and nothing more is charged.")
    return redirect("shop:subscription_list")


@never_cache
@login_required
@require_POST
def subscription_resume(request, pk):
    subscription = _own_subscription(request, pk)
    try:
        subs.subscription_resume(subscription=subscription, user=request.user)
    except CheckoutRefused as exc:
        messages.error(request, str(exc))
    except payments.PaymentError:
        messages.error(request, PROVIDER_DOWN)
    else:
        messages.success(request, "Resumed: your plan renews as before.")
    return redirect("shop:subscription_list")


@never_cache
@login_required
@require_POST
def subscription_keep_plan(request, pk):
    subscription = _own_subscription(request, pk)
    try:
        subs.subscription_scheduled_plan_cancel(subscription=subscription, user=request.user)
    except payments.PaymentError:
        messages.error(request, PROVIDER_DOWN)
    else:
        messages.success(request, f"Done: you stay on {subscription.plan_name}.")
    return redirect("shop:subscription_list")


@never_cache
@login_required
@require_GET
def billing_portal(request):
    """Cards and invoices at Stripe's customer portal (the link in the payment-failed email
    leads here, since a portal session lasts minutes). Without Stripe: My services."""
    try:
        url = subs.billing_portal_session_url(
            user=request.user, return_url=request.build_absolute_uri("/account/services/")
        )
    except payments.PaymentError:
        messages.error(request, "We could not reach our payment provider. Please try again in a few minutes.")
        url = ""
    if not url:
        return redirect("shop:subscription_list")
    return redirect(url)
