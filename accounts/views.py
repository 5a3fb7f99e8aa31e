from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.consents import MARKETING_PURPOSES
from accounts.forms import AddressForm, ProfileForm
from accounts.models import Address
from privacy import purposes


def account_page(view):
    """Signed-in only, and never stored by the browser or a proxy (FE-07)."""
    return never_cache(login_required(view))


def _own_address(request, pk):
    try:
        return selectors.address_get_for_user(user=request.user, pk=pk)
    except Address.DoesNotExist:
        # Someone else's address looks exactly like one that does not exist (AC-01).
        raise Http404("No such address.") from None


@account_page
def account_overview(request):
    context = selectors.account_overview(user=request.user)
    return render(request, "accounts/account_overview.html", {**context, "section": "overview"})


@account_page
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = selectors.profile_for_user(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form, "section": "profile"})


@account_page
def address_list(request):
    addresses = list(selectors.address_list_for_user(user=request.user))
    groups = [
        (kind, label, [address for address in addresses if address.kind == kind])
        for kind, label in Address.Kind.choices
    ]
    return render(
        request, "accounts/address_list.html", {"addresses": addresses, "groups": groups, "section": "addresses"}
    )


@account_page
@require_http_methods(["GET", "POST"])
def address_add(request):
    form = AddressForm(request.POST or None, initial={"kind": request.GET.get("kind") or Address.Kind.BILLING})
    if request.method == "POST" and form.is_valid():
        services.address_create(user=request.user, **form.cleaned_data)
        messages.success(request, "The address has been added.")
        return redirect("accounts:address_list")
    return render(request, "accounts/address_edit.html", {"form": form, "section": "addresses"})


@account_page
@require_http_methods(["GET", "POST"])
def address_edit(request, pk):
    address = _own_address(request, pk)
    # Validating a ModelForm writes the input onto its instance; the service needs the
    # address as stored to see whether its kind changed.
    form = AddressForm(request.POST or None, instance=_own_address(request, pk))
    if request.method == "POST" and form.is_valid():
        services.address_update(address=address, **form.cleaned_data)
        messages.success(request, "The address has been saved.")
        return redirect("accounts:address_list")
    return render(request, "accounts/address_edit.html", {"form": form, "address": address, "section": "addresses"})


@account_page
@require_http_methods(["GET", "POST"])
def address_delete(request, pk):
    address = _own_address(request, pk)
    if request.method == "POST":
        services.address_delete(address=address)
        messages.success(request, "The address has been deleted.")
        return redirect("accounts:address_list")
    # GET only asks for confirmation: nothing changes until the form is posted (FE-05).
    return render(request, "accounts/address_confirm_delete.html", {"address": address, "section": "addresses"})


@account_page
@require_POST
def address_make_default(request, pk):
    address = _own_address(request, pk)
    services.address_make_default(address=address)
    messages.success(request, f"This is now your default {address.get_kind_display().lower()} address.")
    return redirect("accounts:address_list")


@account_page
def your_data(request):
    context = selectors.your_data_for_user(user=request.user)
    return render(request, "accounts/your_data_detail.html", {**context, "section": "your_data"})


@account_page
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Email and text marketing: each given or withdrawn with one button (P05, P27).

    The same one-click form posts here from "Your data"; ``next`` brings the customer back.
    """
    if request.method == "POST":
        purpose, action = request.POST.get("purpose", ""), request.POST.get("action", "")
        if purpose not in MARKETING_PURPOSES or action not in ("give", "withdraw"):
            return HttpResponseBadRequest(
                "Choose email offers or text offers, and whether to give or withdraw consent."
            )
        name = purposes.get(purpose).name
        try:
            services.marketing_consent_set(user=request.user, purpose=purpose, give=action == "give")
        except services.MarketingConsentError as error:
            messages.error(request, str(error))
        else:
            if action == "give":
                messages.success(request, f"{name}: thank you, your consent is recorded.")
            else:
                messages.success(request, f"{name}: consent withdrawn. It stops now.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("accounts:preferences")
        return redirect(target)
    context = selectors.marketing_preferences_for_user(user=request.user)
    return render(request, "accounts/preferences_edit.html", {**context, "section": "preferences"})
