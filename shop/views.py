from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop import conf, selectors, services
from shop.cart import cart_add, cart_items, cart_remove, cart_set_quantity, cart_totals
from shop.forms import (
    CartAddForm,
    CartRemoveForm,
    CartUpdateForm,
    ConsultationRequestForm,
    ReviewForm,
    SavedSearchForm,
    ServiceFilterForm,
    first_error,
)
from shop.models import Plan, SavedSearch
from shop.ratelimit import rate_limit_hit, rate_limit_reached
from shop.services import consultation_request_create

SERVICES_PER_PAGE = 12


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
        if rate_limit_reached(request, action="consultation", limit=limit):
            return _ratelimited(request)
        form = ConsultationRequestForm(request.POST)
        if form.is_valid():
            if not rate_limit_hit(request, action="consultation", limit=limit, window=window):
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
    context = {"items": items, "totals": cart_totals(items), "max_quantity": settings.SHOP_MAX_QUANTITY}
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
    messages.success(request, f"Added {plan.service.name} ({plan.name}) to your cart.")
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
