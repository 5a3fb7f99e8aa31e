from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from privacy.email_address import EmailAddressModelField
from privacy.fields import EncryptedCharField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("age_confirmed_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A customer or a member of staff. Email is the login; there is no username."""

    email = EmailAddressModelField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # P12: the sign-up form cannot be completed without confirming the age threshold.
    age_confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]


class Profile(models.Model):
    """Contact and business details a customer keeps on their account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # P15: encrypted at rest (privacy.fields).
    phone = EncryptedCharField(max_length=32, blank=True)
    company = models.CharField(max_length=150, blank=True)
    city = EncryptedCharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 country code")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.user}"


class Address(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        DELIVERY = "delivery", "Delivery"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    full_name = models.CharField(max_length=150)
    company = models.CharField(max_length=150, blank=True)
    # P15: the postal address is encrypted at rest; the country stays readable (VAT).
    line1 = EncryptedCharField("address line 1", max_length=200)
    line2 = EncryptedCharField("address line 2", max_length=200, blank=True)
    city = EncryptedCharField(max_length=100)
    postcode = EncryptedCharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166 country code")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["kind", "-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], condition=Q(is_default=True), name="one_default_address_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.full_name}, {self.line1}, {self.city}"

    def get_absolute_url(self):
        return reverse("accounts:address_edit", args=[self.pk])

    def as_lines(self):
        parts = (self.full_name, self.company, self.line1, self.line2, f"{self.postcode} {self.city}", self.country)
        return [part for part in parts if part]
