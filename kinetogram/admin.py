"""The staff site: Django's admin under the shop's name, signed in through allauth only,
with a second factor (AU-05, AU-07)."""

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import secure_admin_login
from allauth.account.utils import get_next_redirect_url
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache


def signed_in_with_second_factor(request) -> bool:
    """Whether this session's sign-in (or a re-authentication since) used a second factor,
    as allauth records it in the session ("account_authentication_methods")."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, getattr(request, "user", None))
    )


class KinetogramAdminSite(admin.AdminSite):
    site_header = "Kinetogram staff"
    site_title = "Kinetogram staff"
    index_title = "Shop administration"

    def has_permission(self, request):
        # AU-07: a staff password alone does not open the admin; the session must have
        # passed allauth's two-factor step.
        return super().has_permission(request) and signed_in_with_second_factor(request)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        # AU-05: the admin's own login form would be a second way in without allauth's
        # rate limits and two-factor step, so anyone not signed in goes to allauth's
        # login; a signed-in customer gets 403.
        if not request.user.is_authenticated and not get_next_redirect_url(request):
            return redirect_to_login(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated and request.user.is_active and request.user.is_staff:
            if not signed_in_with_second_factor(request):
                return self._second_factor(request)
        return secure_admin_login(super().login)(request, extra_context)

    def _second_factor(self, request):
        """AU-07: staff without two-factor are sent to set it up; staff who have it but
        signed in before it was asked (or before they were made staff) confirm a code."""
        next_url = get_next_redirect_url(request) or reverse("admin:index", current_app=self.name)
        if not is_mfa_enabled(request.user):
            messages.warning(
                request,
                "Staff sign in with two-factor authentication. Set up an authenticator app, then open the "
                "staff site again.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        query = urlencode({REDIRECT_FIELD_NAME: next_url})
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
