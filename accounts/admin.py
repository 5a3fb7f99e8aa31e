"""Staff administration of customer and staff accounts.

The forms live here rather than in forms.py because only the admin uses them: they are
Django's own user admin forms, adapted to a user whose login is the email address.
"""

from allauth.account.admin import EmailAddressAdmin as LibraryEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as LibraryAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as LibraryUserSessionAdmin
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts import services
from accounts.models import Address, Profile, User
from privacy.admin_mixins import MaskedPersonalDataMixin, PersonalDataAdminMixin
from privacy.models import AuditEvent
from privacy.selectors.erasure import erasure_preview, erasure_refusals
from privacy.services import ErasureRefused, audit_record, subject_erase
from privacy.services.erasure import CHILD_ACCOUNT
from privacy.subjects import Subject

#: Why staff erase an account, as the confirmation page offers it (P20, P12).
ERASURE_REASONS = {
    "staff": "Deleted by staff in the admin",
    "request": "Erasure asked for by the customer",
    "child": CHILD_ACCOUNT,
}


def _clean_unique_email(form):
    email = User.objects.normalize_email(form.cleaned_data["email"]).lower()
    taken = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        taken = taken.exclude(pk=form.instance.pk)
    if taken.exists():
        raise forms.ValidationError("An account with this email address already exists.", code="unique")
    return email


class UserAddForm(AdminUserCreationForm):
    """The admin's "add user" form: email, name and a password (or none, to set later)."""

    class Meta:
        model = User
        fields = ["email", "full_name"]
        field_classes = {}

    def clean_email(self):
        return _clean_unique_email(self)


class UserEditForm(UserChangeForm):
    """The admin's change form; the password is changed on its own page, never shown."""

    class Meta:
        model = User
        fields = [
            "email",
            "password",
            "full_name",
            "age_confirmed_at",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        ]
        field_classes = {}

    def clean_email(self):
        return _clean_unique_email(self)


class ProfileInline(admin.StackedInline):
    model = Profile
    fields = ["phone", "company", "city", "country"]
    can_delete = False
    max_num = 1
    extra = 0


class AddressInline(admin.TabularInline):
    model = Address
    fields = ["kind", "full_name", "company", "line1", "line2", "city", "postcode", "country", "is_default"]
    extra = 0
    # An address's page on the site belongs to its customer; staff would only get a 404 there.
    view_on_site = False


@admin.register(User)
class UserAdmin(MaskedPersonalDataMixin, PersonalDataAdminMixin, DjangoUserAdmin):
    # P15: phone and addresses masked for staff without privacy.unmask_personal_data.
    masked_inline_fields = {"profile": ("phone", "city"), "address": ("line1", "line2", "city", "postcode")}
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name", "age_confirmed_at"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined", "age_confirmed_at"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "date_joined", "groups"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    date_hierarchy = "date_joined"
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [ProfileInline, AddressInline]
    actions = ["end_sessions"]

    def get_inlines(self, request, obj):
        # The add page creates the login first; profile and addresses belong to a saved user.
        return self.inlines if obj else []

    # --- deleting an account erases its holder (P20, P12) ------------------------------
    # A blind delete would cascade through the consent ledger (whose admin refuses deletes,
    # so a superuser got a 403) and through records kept for tax; every delete, single or
    # bulk, goes through the erasure service instead, which the confirmation page previews.

    def get_deleted_objects(self, objs, request):
        """What the erasure does to each account's records, and what stops it (as protected)."""
        done, counts, refused = [], {}, []
        for user in objs:
            subject = Subject.of(user=user)
            refused += [f"{user}: {reason}" for reason in erasure_refusals(subject)]
            preview = erasure_preview(subject)
            done.append(f"{user}")
            done.append([f"{item['record']}: {item['count']} {item['detail']}" for item in preview])
            for item in preview:
                counts[item["record"]] = counts.get(item["record"], 0) + item["count"]
        return done, counts, set(), refused

    def _erase(self, request, user) -> bool:
        reason = ERASURE_REASONS.get(request.POST.get("erasure_reason", ""), ERASURE_REASONS["staff"])
        try:
            subject_erase(subject=Subject.of(user=user), actor=request.user, reason=reason)
        except ErasureRefused as exc:
            self.message_user(request, f"Account #{user.pk} was not erased: {exc}", messages.ERROR)
            return False
        return True

    def delete_model(self, request, obj):
        request._account_erased = self._erase(request, obj)

    def delete_queryset(self, request, queryset):
        for user in list(queryset):
            self._erase(request, user)

    def response_delete(self, request, obj_display, obj_id):
        if not getattr(request, "_account_erased", True):
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[obj_id]))
        # The email address is gone; the message names the account by its number.
        return super().response_delete(request, f"#{obj_id}", obj_id)

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "erasure_reasons": ERASURE_REASONS.items()}
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description="Erase selected accounts")
    def erase_selected(self, request, queryset):
        response = delete_selected(self, request, queryset)
        if response is not None:
            response.context_data["erasure_reasons"] = ERASURE_REASONS.items()
        return response

    @admin.action(permissions=["change"], description="Sign selected accounts out everywhere")
    def end_sessions(self, request, queryset):
        ended = 0
        for user in queryset:
            ended += services.user_sessions_end(user=user)
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.CHANGE,
                model=UserSession,
                subject_id=user.pk,
                detail="signed out everywhere by staff",
            )
        self.message_user(request, f"Ended {ended} session(s).", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (UserAdmin.erase_selected, "delete_selected", "Erase selected accounts")
        return actions


# --- the sign-in library's own admins, audited like ours (LG-01, privacy.E013) ---------------
# allauth registers them without the audit mixin; importing its admin modules above makes
# sure they are registered before they are replaced here.
for _model in (EmailAddress, Authenticator, UserSession):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(EmailAddress)
class EmailAddressAdmin(PersonalDataAdminMixin, LibraryEmailAddressAdmin):
    pass


@admin.register(Authenticator)
class AuthenticatorAdmin(PersonalDataAdminMixin, LibraryAuthenticatorAdmin):
    pass


@admin.register(UserSession)
class UserSessionAdmin(PersonalDataAdminMixin, LibraryUserSessionAdmin):
    pass
