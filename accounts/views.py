from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import AddressForm, ProfileForm, RectificationRequestForm, RestrictionRequestForm
from accounts.models import Address
from privacy import services as privacy_services
from privacy.models import SubjectRequest
from privacy.selectors.erasure import erasure_preview, erasure_refusals
from privacy.selectors.rectification import rectifiable_records
from privacy.services import requests
from privacy.subjects import Subject


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


# --- the rights on "Your data" (P19-P24): one button each ------------------------------------


def _rights_error(request, error):
    messages.error(request, str(error))
    return redirect("accounts:your_data")


@account_page
@require_POST
@reauthentication_required
def your_data_download(request):
    """Access and portability (P19, P24): a copy of everything, as a zip built in the
    background; the re-entered password counts as identity verification (AU-11)."""
    try:
        subject_request = requests.subject_request_from_account(user=request.user, kind=SubjectRequest.Kind.ACCESS)
    except requests.RequestError as error:
        return _rights_error(request, error)
    if subject_request.status == SubjectRequest.Status.COMPLETED:
        messages.success(request, "Your copy is ready: download it below. It stays available for 7 days.")
    else:
        messages.success(request, "We are preparing your copy and will email you a link when it is ready.")
    return redirect(reverse("accounts:your_data") + "#downloads")


@account_page
@require_POST
def your_data_object(request):
    """One click objects to all direct marketing and tailored offers (P22), or takes it back."""
    if request.POST.get("action") == "withdraw":
        privacy_services.objection_withdraw(user=request.user, source="account")
        messages.success(
            request,
            "You no longer object to post and tailored offers. Email and text offers stay off "
            "until you switch them on in your marketing preferences.",
        )
    else:
        privacy_services.objection_record(user=request.user, source="account")
        messages.success(request, "Done: no more marketing by email, text or post, and no tailored offers.")
    return redirect(reverse("accounts:your_data") + "#rights")


@account_page
@require_http_methods(["GET", "POST"])
@reauthentication_required
def your_data_restrict(request):
    """Restriction (P23): keep the data but stop using it for the chosen purposes, at once."""
    form = RestrictionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            requests.subject_request_from_account(
                user=request.user,
                kind=SubjectRequest.Kind.RESTRICTION,
                scope=form.cleaned_data["scope"],
                details=form.cleaned_data["reason"],
            )
        except requests.RequestError as error:
            return _rights_error(request, error)
        messages.success(request, "Processing is restricted from now on. We will review it with you before it ends.")
        return redirect(reverse("accounts:your_data") + "#restrictions")
    status = 400 if form.errors else 200
    return render(request, "accounts/your_data_restrict.html", {"form": form, "section": "your_data"}, status=status)


@account_page
@require_http_methods(["GET", "POST"])
@reauthentication_required
def your_data_correct(request):
    """Rectification (P21) of what the customer cannot edit themselves: staff see the current
    and requested value side by side and apply it."""
    records = rectifiable_records(Subject.of(user=request.user))
    form = RectificationRequestForm(request.POST if request.method == "POST" else None, records=records)
    if request.method == "POST" and form.is_valid():
        try:
            subject_request = requests.subject_request_from_account(
                user=request.user,
                kind=SubjectRequest.Kind.RECTIFICATION,
                changes=form.changes(),
                details=form.cleaned_data["note"],
            )
        except requests.RequestError as error:
            return _rights_error(request, error)
        messages.success(
            request,
            f"Thank you. Your request {subject_request.reference} is with our team; we will correct it by "
            f"{subject_request.due_on:%-d %B %Y} at the latest and email you.",
        )
        return redirect(reverse("accounts:your_data") + "#requests")
    status = 400 if form.errors else 200
    context = {"form": form, "records": records, "section": "your_data"}
    return render(request, "accounts/your_data_correct.html", context, status=status)


@account_page
@require_http_methods(["GET", "POST"])
@reauthentication_required
def your_data_erase(request):
    """Erasure (P20): what goes and what the law makes us keep, then one confirmed button."""
    subject = Subject.of(user=request.user)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, "Tick the box to confirm that you want your account and data erased.")
            return redirect("accounts:your_data_erase")
        try:
            subject_request = requests.subject_request_from_account(user=request.user, kind=SubjectRequest.Kind.ERASURE)
        except requests.RequestError as error:
            return _rights_error(request, error)
        if subject_request.status == SubjectRequest.Status.REFUSED:
            messages.error(request, f"We cannot erase your account yet: {subject_request.outcome}")
            return redirect("accounts:your_data")
        logout(request)
        return render(request, "accounts/your_data_erased.html", {"reference": subject_request.reference})
    context = {"preview": erasure_preview(subject), "refusals": erasure_refusals(subject), "section": "your_data"}
    return render(request, "accounts/your_data_erase.html", context)
