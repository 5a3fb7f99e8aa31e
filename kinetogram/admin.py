"""The staff site: Django's admin under the shop's name, signed in through allauth only."""

from allauth.account.decorators import secure_admin_login
from allauth.account.utils import get_next_redirect_url
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache


class KinetogramAdminSite(admin.AdminSite):
    site_header = "Kinetogram staff"
    site_title = "Kinetogram staff"
    index_title = "Shop administration"

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        # AU-05: the admin's own login form would be a second way in without allauth's
        # rate limits and two-factor step, so anyone not signed in goes to allauth's
        # login; a signed-in staff member is sent on by the admin as usual, and a
        # signed-in customer gets 403.
        if not request.user.is_authenticated and not get_next_redirect_url(request):
            return redirect_to_login(reverse("admin:index", current_app=self.name))
        return secure_admin_login(super().login)(request, extra_context)
