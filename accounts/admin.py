"""Staff administration of customer and staff accounts.

The forms live here rather than in forms.py because only the admin uses them: they are
Django's own user admin forms, adapted to a user whose login is the email address.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import Address, Profile, User
from privacy.admin_mixins import PersonalDataAdminMixin


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
class UserAdmin(PersonalDataAdminMixin, DjangoUserAdmin):
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

    def get_inlines(self, request, obj):
        # The add page creates the login first; profile and addresses belong to a saved user.
        return self.inlines if obj else []
