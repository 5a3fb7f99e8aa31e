from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop import cart as shop_cart
from shop import payments, selectors, services
from shop.forms import CheckoutForm, OrderLookupForm
from shop.models import Category, Order, Service, Subscription

CHECKOUT_ORDERS_SESSION_KEY = "checkout_orders"
LOOKUP_LIMIT = 5
LOOKUP_WINDOW_SECONDS = 600
LOOKUP_ANSWER = "If an order matches, we have emailed a link to it. The link works for 3 days."


def home(request):
    categories = Category.objects.filter(is_active=True)
    featured = Service.objects.active().select_related("category").prefetch_related("plans")[:6]
    return render(request, "shop/home.html", {"categories": categories, "featured": featured})


# --- checkout ------------------------------------------------------------------------
def _remember_guest_order(request, order):
    numbers = list(request.session.get(CHECKOUT_ORDERS_SESSION_KEY, []))[-9:]
    if order.number not in numbers:
        numbers.append(order.number)
    request.session[CHECKOUT_ORDERS_SESSION_KEY] = numbers


def _payment_urls(request, order):
    success = request.build_absolute_uri(reverse("shop:checkout_success", args=[order.number]))
    if order.user_id:
        cancel = request.build_absolute_uri(order.get_absolute_url())
    else:
        cancel = request.build_absolute_uri(reverse("shop:order_link", args=[services.order_link_token(order=order)]))
    return success, cancel


def _start_payment(request, order, fallback_url):
    success_url, cancel_url = _payment_urls(request, order)
    try:
        return redirect(services.order_payment_start(order=order, success_url=success_url, cancel_url=cancel_url))
    except services.CheckoutRefused as exc:
        messages.error(request, str(exc))
    except payments.PaymentError:
        messages.error(
            request,
            "We could not reach our payment provider. Your order is saved and nothing was charged: "
            "please try “Pay now” again in a few minutes.",
        )
    return redirect(fallback_url)


@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request):
    items = shop_cart.cart_items(request)
    problems = selectors.checkout_problems(items=items, user=request.user)
    signed_in = request.user.is_authenticated
    status = 200
    if request.method == "POST" and not problems:
        form = CheckoutForm(request.POST, signed_in=signed_in)
        if form.is_valid():
            try:
                order = services.order_place(
                    cart_items=items,
                    user=request.user,
                    email=form.cleaned_data.get("email", ""),
                    billing=form.billing(),
                    recipient=form.recipient(),
                    save_address=form.cleaned_data.get("save_address", False),
                )
            except services.CheckoutRefused as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                shop_cart.cart_clear(request)
                if not signed_in:
                    _remember_guest_order(request, order)
                fallback = (
                    order.get_absolute_url()
                    if signed_in
                    else reverse("shop:order_link", args=[services.order_link_token(order=order)])
                )
                return _start_payment(request, order, fallback)
        else:
            status = 400
    else:
        form = CheckoutForm(initial=selectors.checkout_initial_billing(user=request.user), signed_in=signed_in)
        if request.method == "POST":
            status = 409
    context = {
        "items": items,
        "total": shop_cart.cart_total(items),
        "problems": problems,
        "form": form,
        "has_recurring": any(item.plan.is_recurring for item in items),
        "summary_lines": [
            {
                "service_name": item.plan.service.name,
                "plan_name": item.plan.name,
                "billing": item.plan.billing,
                "get_billing_display": item.plan.get_billing_display(),
                "quantity": item.quantity,
                "line_total": item.line_total,
            }
            for item in items
        ],
        "currency": settings.SHOP_CURRENCY,
        "login_url": f"{reverse('account_login')}?next={reverse('shop:checkout')}",
        "signup_url": f"{reverse('account_signup')}?next={reverse('shop:checkout')}",
    }
    return render(request, "shop/checkout_form.html", context, status=status)


def _order_for_checkout_pages(request, number):
    """The order behind the demo and success pages: the signed-in owner's, or a guest
    order placed in this browser session. Anything else is a 404 (AC-01)."""
    order = selectors.order_for_page(number=number)
    if order is None:
        raise Http404
    if order.user_id:
        if request.user.is_authenticated and order.user_id == request.user.pk:
            return order
        raise Http404
    if number in request.session.get(CHECKOUT_ORDERS_SESSION_KEY, []):
        return order
    raise Http404


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_demo(request, number):
    if not payments.get_gateway().is_demo:
        raise Http404
    order = _order_for_checkout_pages(request, number)
    if request.method == "POST":
        if order.status != Order.Status.PENDING:
            messages.info(request, "This order is not awaiting payment.")
        elif request.POST.get("action") == "pay":
            services.order_pay_demo(order=order)
            return redirect("shop:checkout_success", number=order.number)
        else:
            messages.warning(request, "Payment cancelled. Your order is saved: you can pay for it later.")
            if order.user_id:
                return redirect(order.get_absolute_url())
            return redirect("shop:order_link", token=services.order_link_token(order=order))
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "has_recurring": order.mode == Order.Mode.SUBSCRIPTION,
    }
    return render(request, "shop/checkout_demo.html", context)


@never_cache
@require_GET
def checkout_success(request, number):
    # IN-02: reading only. The order becomes paid through the payment events, never here.
    order = _order_for_checkout_pages(request, number)
    return render(request, "shop/checkout_success.html", {"order": order, "lines": list(order.lines.all())})


# --- orders ----------------------------------------------------------------------------
@never_cache
@login_required
@require_GET
def order_list(request):
    page = Paginator(selectors.order_list_for_user(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "shop/order_list.html", {"page": page, "orders": page.object_list})


@never_cache
@login_required
@require_GET
def order_detail(request, number):
    order = selectors.order_for_user(user=request.user, number=number)
    if order is None:
        raise Http404
    return render(
        request, "shop/order_detail.html", {"order": order, "pay_url": reverse("shop:order_pay", args=[number])}
    )


@never_cache
@login_required
@require_POST
def order_pay(request, number):
    order = selectors.order_for_user(user=request.user, number=number)
    if order is None:
        raise Http404
    return _start_payment(request, order, order.get_absolute_url())


def _client_ip(request):
    # The same client address allauth's rate limits use, so ALLAUTH_TRUSTED_PROXY_COUNT
    # behind a proxy applies here too.
    return get_account_adapter().get_client_ip(request)


def _lookup_allowed(request):
    key = f"shop:order-lookup:{_client_ip(request)}"
    cache.add(key, 0, LOOKUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, LOOKUP_WINDOW_SECONDS)
        count = 1
    return count <= LOOKUP_LIMIT


@never_cache
@require_http_methods(["GET", "POST"])
def order_lookup(request):
    if request.method == "POST":
        if not _lookup_allowed(request):
            return render(
                request,
                "shop/order_lookup.html",
                {"form": OrderLookupForm(), "too_many": True},
                status=429,
            )
        form = OrderLookupForm(request.POST)
        if form.is_valid():
            services.order_lookup_request(
                number=form.cleaned_data["number"],
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
            # P02: the same answer whether or not an order matched.
            messages.success(request, LOOKUP_ANSWER)
            return redirect("shop:order_lookup")
        return render(request, "shop/order_lookup.html", {"form": form}, status=400)
    return render(request, "shop/order_lookup.html", {"form": OrderLookupForm()})


@never_cache
@require_http_methods(["GET", "POST"])
def order_link(request, token):
    try:
        order = services.order_from_link_token(token=token)
    except signing.SignatureExpired:
        return render(request, "shop/order_link_invalid.html", {"expired": True}, status=400)
    except (signing.BadSignature, Order.DoesNotExist):
        return render(request, "shop/order_link_invalid.html", {"expired": False}, status=400)
    order = selectors.order_for_page(number=order.number)
    if request.method == "POST":
        if not order.user_id:
            _remember_guest_order(request, order)
        return _start_payment(request, order, request.path)
    return render(request, "shop/order_detail.html", {"order": order, "pay_url": request.path, "via_link": True})


# --- My services -----------------------------------------------------------------------
@never_cache
@login_required
@require_GET
def subscription_list(request):
    subscriptions = selectors.subscription_list_for_user(user=request.user)
    past_due = [s for s in subscriptions if s.status == Subscription.Status.PAST_DUE]
    return render(request, "shop/subscription_list.html", {"subscriptions": subscriptions, "past_due": past_due})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription_cancel(request, pk):
    subscription = selectors.subscription_for_user(user=request.user, pk=pk)
    if subscription is None:
        raise Http404
    if request.method == "POST":
        try:
            services.subscription_cancel(subscription=subscription, user=request.user)
        except services.CheckoutRefused as exc:
            messages.error(request, str(exc))
        except payments.PaymentError:
            messages.error(request, "We could not reach our payment provider; nothing changed. Please try again later.")
        else:
            messages.success(request, "Cancelled: your plan stays active until the end of the period you paid for.")
        return redirect("shop:subscription_list")
    plans = selectors.subscriptions_sharing_billing(subscription=subscription)
    return render(request, "shop/subscription_cancel.html", {"subscription": subscription, "plans": plans})


# --- Stripe ----------------------------------------------------------------------------
@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events. The signature is checked on the raw body before anything touches
    the database; the work itself runs in Celery after the event row commits (PAY-04)."""
    try:
        event = payments.get_gateway().construct_event(
            payload=request.body, sig_header=request.headers.get("Stripe-Signature")
        )
    except payments.InvalidWebhook:
        return HttpResponseBadRequest("Invalid webhook signature.", content_type="text/plain")
    services.stripe_event_receive(event=event)
    return HttpResponse("ok", content_type="text/plain")
