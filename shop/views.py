from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shop import conf
from shop.forms import ConsultationRequestForm
from shop.models import Category, Service
from shop.ratelimit import rate_limit_hit, rate_limit_reached
from shop.services import consultation_request_create


def home(request):
    categories = Category.objects.filter(is_active=True)
    featured = Service.objects.active().select_related("category").prefetch_related("plans")[:6]
    return render(request, "shop/home.html", {"categories": categories, "featured": featured})


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
