import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import selectors as billing_selectors
from privacy import ratelimit
from privacy.decorators import first_party_cookies_required
from shop import cart as shop_cart
from shop import conf, payments, selectors, services
from shop.cart import cart_add, cart_items, cart_remove, cart_set_quantity, cart_totals
from shop.forms import (
    CartAddForm,
    CartRemoveForm,
    CartUpdateForm,
    CheckoutForm,
    ConsultationRequestForm,
    OrderLookupForm,
    ReviewForm,
    SavedSearchForm,
    ServiceFilterForm,
    first_error,
)
from shop.models import Category, Order, Plan, SavedSearch, Service, Subscription
from shop.promotions import PromotionRefused, promotion_price
from shop.services import consultation_request_create
from shop.services_subscriptions import stripe_customer_for

logger = logging.getLogger(__name__)

SERVICES_PER_PAGE = 12


CHECKOUT_ORDERS_SESSION_KEY = "checkout_orders"
LOOKUP_LIMIT = 5
LOOKUP_WINDOW_SECONDS = 600
LOOKUP_ANSWER = "If an order matches, we have emailed a link to it. The link works for 3 days."


@require_GET
def home(request):
    return render(
        request,
        "shop/home.html",
        {"categories": selectors.category_list_with_counts(), "featured": selectors.featured_services()},
    )


# --- consultation (P37) ------------------------------------------------------------
def _ratelimited(request):
    return render(request, "429.html", {"retry_hint": "in an hour"}, status=429)


@require_http_methods(["GET", "POST"])
def consultation_create(request):
    limit, window = conf.consultation_rate_limit()
    if request.method == "POST":
        if ratelimit.reached("consultation", ratelimit.client_ip(request), limit=limit):
            return _ratelimited(request)
        form = ConsultationRequestForm(request.POST)
        if form.is_valid():
            if not ratelimit.allow("consultation", ratelimit.client_ip(request), limit=limit, seconds=window):
                return _ratelimited(request)
            consultation = consultation_request_create(**form.cleaned_data, user=request.user)
            messages.success(request, f"We have emailed a confirmation to {consultation.email}.")
            return redirect("shop:consultation_done")
    else:
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.full_name, "email": request.user.email}
        form = ConsultationRequestForm(initial=initial)
    return render(request, "shop/consultation_create.html", {"form": form})


@require_GET
def consultation_done(request):
    return render(request, "shop/consultation_done.html")


# --- catalogue ---------------------------------------------------------------------
def _service_list_response(request, query: QueryDict, *, save_form=None, status=200):
    form = ServiceFilterForm(query)
    form.is_valid()
    params = form.valid_params()
    paginator = Paginator(selectors.service_search(params=params), SERVICES_PER_PAGE)
    asked = params.get("page", 1)
    # A page past the end (an old link, a shorter result) shows the last page and says so,
    # rather than a 404 for a search that still has results.
    page = paginator.get_page(asked)
    page_notice = ""
    if asked > paginator.num_pages and paginator.count:
        page_notice = f"There is no page {asked} for this search, so here is the last page ({paginator.num_pages})."
    query_string = form.query_string()
    if save_form is None and request.user.is_authenticated:
        save_form = SavedSearchForm(initial={"query": query_string})
    context = {
        "form": form,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "services": page.object_list,
        "query_string": query_string,
        "page_notice": page_notice,
        "save_form": save_form,
        "sort": selectors.resolve_sort(params),
        "is_filtered": bool(query_string),
        "has_more_filters": any(name in params for name in ("category", "kind", "min_price", "max_price", "sort")),
    }
    if form.errors:
        status = 400
    return render(request, "shop/service_list.html", context, status=status)


@require_GET
def service_list(request):
    return _service_list_response(request, request.GET)


def _service_detail_response(request, service, *, review_form=None, status=200):
    eligibility = selectors.review_eligibility(user=request.user, service=service)
    if review_form is None and eligibility.can_review:
        review_form = ReviewForm()
    context = {
        "service": service,
        "plans": service.active_plans,
        "reviews": selectors.service_reviews(service=service),
        "eligibility": eligibility,
        "review_form": review_form if eligibility.can_review else None,
        "max_quantity": settings.SHOP_MAX_QUANTITY,
    }
    return render(request, "shop/service_detail.html", context, status=status)


@require_GET
def service_detail(request, slug):
    service = get_object_or_404(selectors.service_detail_queryset(), slug=slug)
    return _service_detail_response(request, service)


@login_required
@require_POST
def review_create(request, slug):
    service = get_object_or_404(selectors.service_detail_queryset(), slug=slug)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _service_detail_response(request, service, review_form=form, status=400)
    try:
        services.review_create(user=request.user, service=service, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _service_detail_response(request, service, status=403)
    messages.success(request, "Thank you for your review. It will appear here once our team has checked it.")
    return redirect(service.get_absolute_url() + "#reviews")


# --- cart ----------------------------------------------------------------------------
def _cart_response(request, *, status=200):
    items = cart_items(request)
    context = {
        "items": items,
        "totals": cart_totals(items),
        "max_quantity": settings.SHOP_MAX_QUANTITY,
        "restored": shop_cart.cart_restored_items(request),
        "mixed_cycles": shop_cart.cart_mixed_cycles(items),
    }
    return render(request, "shop/cart_detail.html", context, status=status)


def _cart_refused(request, message):
    """Bad cart input: say why on the cart page, with a 400; nothing was changed."""
    messages.error(request, message)
    return _cart_response(request, status=400)


def _next_url(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("shop:cart")


@require_GET
def cart_detail(request):
    return _cart_response(request)


@require_POST
def cart_add_view(request):
    # Only the plan id and the quantity are read: any price or total in the post is ignored (IN-01).
    form = CartAddForm(request.POST)
    if not form.is_valid():
        return _cart_refused(request, first_error(form))
    plan = get_object_or_404(Plan.objects.active().select_related("service"), pk=form.cleaned_data["plan"])
    try:
        cart_add(request, plan=plan, quantity=form.cleaned_data["quantity"])
    except ValidationError as error:
        return _cart_refused(request, error.messages[0])
    if plan.is_recurring and shop_cart.cart_mixed_cycles(cart_items(request)):
        # Said when it happens, not only at checkout: the cart holds it, the checkout will not.
        messages.warning(
            request,
            f"Added {plan.service.name} ({plan.name}) to your cart. Your cart now has monthly and yearly plans, "
            "which cannot be paid in one order: see your cart for what to remove.",
        )
        return redirect(_next_url(request))
    messages.success(request, f"Added {plan.service.name} ({plan.name}) to your cart.")
    return redirect(_next_url(request))


@require_POST
def cart_restored_view(request):
    """Keep or remove the lines that signing in brought back from the saved cart."""
    action = request.POST.get("action")
    if action == "keep":
        shop_cart.cart_restored_keep(request)
        messages.success(request, "Kept: your cart holds both what you chose today and what you had saved.")
    elif action == "remove":
        shop_cart.cart_restored_remove(request)
        messages.success(request, "Removed what came back from your saved cart: your cart holds what you chose today.")
    else:
        return _cart_refused(request, "Choose “Keep them” or “Remove these”.")
    return redirect(_next_url(request))


@require_POST
def cart_update_view(request):
    form = CartUpdateForm(request.POST)
    if not form.is_valid():
        return _cart_refused(request, first_error(form))
    try:
        updated = cart_set_quantity(request, plan_id=form.cleaned_data["plan"], quantity=form.cleaned_data["quantity"])
    except ValidationError as error:
        return _cart_refused(request, error.messages[0])
    if not updated:
        messages.error(request, "That plan is not in your cart.")
        return _cart_response(request, status=404)
    messages.success(request, "Quantity updated.")
    return redirect(_next_url(request))


@require_POST
def cart_remove_view(request):
    form = CartRemoveForm(request.POST)
    if not form.is_valid():
        return _cart_refused(request, first_error(form))
    if cart_remove(request, plan_id=form.cleaned_data["plan"]):
        messages.success(request, "Removed from your cart.")
    else:
        messages.info(request, "That plan was no longer in your cart.")
    return redirect(_next_url(request))


# --- saved searches (P03) --------------------------------------------------------------
@login_required
@require_GET
def saved_search_list(request):
    searches = selectors.saved_search_list(user=request.user)
    return render(
        request,
        "shop/saved_search_list.html",
        {"saved_searches": searches, "limit": services.SAVED_SEARCH_LIMIT, "section": "saved_searches"},
    )


@login_required
@require_POST
def saved_search_create(request):
    form = SavedSearchForm(request.POST)
    query = QueryDict(request.POST.get("query", ""))
    if not form.is_valid():
        return _service_list_response(request, query, save_form=form, status=400)
    try:
        saved = services.saved_search_create(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return _service_list_response(request, query, save_form=form, status=400)
    messages.success(request, f"Saved “{saved.name}”. You will find it under Saved searches in your account.")
    return redirect(saved.get_absolute_url())


@login_required
@require_POST
def saved_search_delete(request, pk):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    services.saved_search_delete(saved_search=saved)
    messages.success(request, f"Deleted the saved search “{saved.name}”.")
    return redirect("shop:saved_search_list")
    categories = Category.objects.filter(is_active=True)
    featured = Service.objects.active().select_related("category").prefetch_related("plans")[:6]
    return render(request, "shop/home.html", {"categories": categories, "featured": featured})


# --- checkout ------------------------------------------------------------------------
def _remember_guest_order(request, order):
    numbers = list(request.session.get(CHECKOUT_ORDERS_SESSION_KEY, []))[-9:]
    if order.number not in numbers:
        numbers.append(order.number)
    request.session[CHECKOUT_ORDERS_SESSION_KEY] = numbers


def _order_page_url(order):
    """Where a customer sees an order: their account's order page, or a guest's order link."""
    if order.user_id:
        return order.get_absolute_url()
    return reverse("shop:order_link", args=[services.order_link_token(order=order)])


def _show_placed_order(request, order):
    """Answer a checkout submit whose cart is already an order: that order's page, which
    offers the payment."""
    if not order.user_id:
        _remember_guest_order(request, order)
    messages.info(request, f"Your order {order.number} is already placed: you can pay for it here.")
    return redirect(_order_page_url(order))


def _payment_urls(request, order):
    success = request.build_absolute_uri(reverse("shop:checkout_success", args=[order.number]))
    return success, request.build_absolute_uri(_order_page_url(order))


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
@first_party_cookies_required
def checkout(request):
    items = shop_cart.cart_items(request)
    problems = selectors.checkout_problems(items=items, user=request.user)
    signed_in = request.user.is_authenticated
    cart_key = shop_cart.cart_checkout_key(request)
    shown_key = request.POST.get("cart_key", "") if request.method == "POST" else ""
    if shown_key and shown_key != cart_key:
        # The form carries the key of the cart it was shown with: a form whose cart has
        # since become an order (submitted twice, or again from a second tab) shows that
        # order instead of placing another or saying the cart is empty.
        placed = selectors.order_placed_from_cart(
            cart_key=shown_key,
            user=request.user,
            guest_order_numbers=request.session.get(CHECKOUT_ORDERS_SESSION_KEY, []),
        )
        if placed is not None:
            return _show_placed_order(request, placed)
    status = 200
    promotion, promotion_error = None, ""
    recalculate = request.method == "POST" and "recalculate" in request.POST
    # Enter in any field submits with the form's first button, "Apply code": with no code
    # typed, that is a plain submit.
    applying = request.POST.get("action") == "apply_code" and request.POST.get("promotion_code", "").strip()
    if request.method == "POST" and not problems and applying:
        # "Apply" shows the price with the code; nothing is placed, and the other fields
        # are not judged yet.
        form = CheckoutForm(initial=request.POST.dict(), signed_in=signed_in)
        promotion, promotion_error = _promotion_quote(request, items, request.POST)
        if promotion_error:
            status = 400
    elif request.method == "POST" and not problems and recalculate:
        # "Update VAT" without JavaScript: the same page, figures for the posted country and number.
        form = CheckoutForm(initial=request.POST.dict(), signed_in=signed_in)
        if request.POST.get("promotion_code", "").strip():
            promotion, promotion_error = _promotion_quote(request, items, request.POST)
    elif request.method == "POST" and not problems:
        form = CheckoutForm(request.POST, signed_in=signed_in)
        if form.is_valid() and form.cleaned_data.get("promotion_code"):
            promotion, refusal = _promotion_quote(request, items, form.cleaned_data)
            if refusal:
                form.add_error("promotion_code", refusal)
                status = 400
        if form.is_valid():
            try:
                order = services.order_place(
                    cart_items=items,
                    user=request.user,
                    email=form.cleaned_data.get("email", ""),
                    billing=form.billing(),
                    recipient=form.recipient(),
                    save_address=form.cleaned_data.get("save_address", False),
                    cart_key=cart_key,
                    promotion_code=form.cleaned_data.get("promotion_code", ""),
                )
            except services.OrderAlreadyPlaced as exc:
                # This very cart became an order in a submit that got there first. That
                # submit emptied a customer's saved cart; a visitor's lives in this session.
                if not signed_in:
                    shop_cart.cart_clear(request)
                return _show_placed_order(request, exc.order)
            except PromotionRefused as exc:
                # Checked again under the code's lock: the last use went to another checkout.
                form.add_error("promotion_code", str(exc))
                promotion, status = None, 400
            except services.CheckoutRefused as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                shop_cart.cart_clear(request)
                if not signed_in:
                    _remember_guest_order(request, order)
                return _start_payment(request, order, _order_page_url(order))
        elif status == 200:
            status = 400
    else:
        form = CheckoutForm(initial=selectors.checkout_initial_billing(user=request.user), signed_in=signed_in)
        if request.method == "POST":
            status = 409
    entered = form.data if form.is_bound else form.initial
    country, vat_number = entered.get("billing_country"), entered.get("vat_number", "")
    context = {
        "items": items,
        "cart_key": cart_key,
        "promotion": promotion,
        "promotion_error": promotion_error,
        "problems": problems,
        "form": form,
        "restored": shop_cart.cart_restored_items(request),
        "mixed_cycles": shop_cart.cart_mixed_cycles(items),
        **_checkout_summary(
            items, country=country, vat_number=vat_number, discount=promotion.discount if promotion else None
        ),
        "currency": settings.SHOP_CURRENCY,
        "login_url": f"{reverse('account_login')}?next={reverse('shop:checkout')}",
        "signup_url": f"{reverse('account_signup')}?next={reverse('shop:checkout')}",
    }
    return render(request, "shop/checkout_form.html", context, status=status)


def _checkout_summary(items, *, country, vat_number, discount=None):
    """The summary's lines with net, VAT and gross, and the totals, for this country and
    VAT number (billing computes them, on the server only); a promotion's ``discount`` is a
    negative line of the sale, so VAT is due on the net after it."""
    nets = [item.line_total for item in items] + ([-discount] if discount else [])
    quote = billing_selectors.checkout_quote(nets=nets, country=country or "GB", vat_number=vat_number or "")
    figures = quote.figures
    return {
        "total": figures.gross,
        "quote": quote,
        "has_recurring": any(item.plan.is_recurring for item in items),
        "summary_lines": [
            {
                "service_name": item.plan.service.name,
                "plan_name": item.plan.name,
                "billing": item.plan.billing,
                "get_billing_display": item.plan.get_billing_display(),
                "quantity": item.quantity,
                "line_total": part.net,
                "line_vat": part.vat,
                "line_gross": part.gross,
            }
            for item, part in zip(items, figures.lines[: len(items)], strict=True)
        ],
        "discount_line": figures.lines[len(items)] if discount else None,
    }


@never_cache
@require_POST
@first_party_cookies_required
def checkout_vat(request):
    """The checkout summary for the posted country and VAT number, as an HTML fragment the
    checkout page swaps in when those fields change (money computed here, never in the browser)."""
    items = shop_cart.cart_items(request)
    country = (request.POST.get("billing_country") or "GB")[:2]
    promotion = None
    if request.POST.get("promotion_code", "").strip():
        promotion, _refusal = _promotion_quote(request, items, request.POST)
    context = {
        **_checkout_summary(
            items,
            country=country,
            vat_number=request.POST.get("vat_number", "")[:32],
            discount=promotion.discount if promotion else None,
        ),
        "promotion": promotion,
        "currency": settings.SHOP_CURRENCY,
    }
    context["lines"] = context["summary_lines"]
    return render(request, "shop/checkout_summary.html", context)


def _promotion_quote(request, items, data):
    """(quote, "") for a code that applies to this cart, (None, the refusal) otherwise."""
    code = (data.get("promotion_code") or "").strip()
    if not code:
        return None, "Enter a promotion code."
    email = request.user.email if request.user.is_authenticated else (data.get("email") or "").strip()
    try:
        return promotion_price(code=code, items=items, user=request.user, email=email), ""
    except PromotionRefused as exc:
        return None, str(exc)


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
    return render(request, "shop/order_list.html", {"page": page, "orders": page.object_list, "section": "orders"})


@never_cache
@login_required
@require_GET
def order_detail(request, number):
    order = selectors.order_for_user(user=request.user, number=number)
    if order is None:
        raise Http404
    return render(
        request,
        "shop/order_detail.html",
        {
            "order": order,
            "charges": selectors.order_charges(order=order),
            "pay_url": reverse("shop:order_pay", args=[number]),
            "section": "orders",
        },
    )


@never_cache
@login_required
@require_POST
def order_pay(request, number):
    order = selectors.order_for_user(user=request.user, number=number)
    if order is None:
        raise Http404
    return _start_payment(request, order, order.get_absolute_url())


@never_cache
@require_http_methods(["GET", "POST"])
def order_lookup(request):
    if request.method == "POST":
        ip = ratelimit.client_ip(request)
        if not ratelimit.allow("order-lookup", ip, limit=LOOKUP_LIMIT, seconds=LOOKUP_WINDOW_SECONDS):
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
                site_url=settings.SITE_URL,
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
    context = {
        "order": order,
        "charges": selectors.order_charges(order=order),
        "pay_url": request.path,
        "via_link": True,
    }
    return render(request, "shop/order_detail.html", context)


# --- My services -----------------------------------------------------------------------
@never_cache
@login_required
@require_GET
def subscription_list(request):
    subscriptions = selectors.subscription_list_for_user(user=request.user)
    past_due = [s for s in subscriptions if s.status == Subscription.Status.PAST_DUE]
    return render(
        request,
        "shop/subscription_list.html",
        {
            "subscriptions": subscriptions,
            "past_due": past_due,
            "section": "services",
            # "Manage billing" only where Stripe holds the customer's cards and invoices.
            "portal_available": not payments.get_gateway().is_demo and bool(stripe_customer_for(user=request.user)),
        },
    )


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
    return render(
        request,
        "shop/subscription_cancel.html",
        {"subscription": subscription, "plans": plans, "section": "services"},
    )


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
    try:
        services.stripe_event_receive(event=event)
    except DatabaseError as exc:
        # Not recorded, so not acknowledged: Stripe sends the event again on any 5xx.
        logger.error("Stripe event %s could not be recorded: %s", event.get("id", ""), type(exc).__name__)
        return HttpResponse("Event not recorded; send it again.", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
