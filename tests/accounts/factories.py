import factory
from django.utils import timezone

from accounts.models import Address, Profile, User

PASSWORD = "Blue-harbour-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    full_name = factory.Faker("name")
    age_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Verified primary email address, as allauth expects for a usable account."""
        obj.save()
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    phone = "+44 20 7946 0000"
    company = factory.Faker("company")
    city = "London"
    country = "GB"


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    kind = Address.Kind.BILLING
    full_name = factory.LazyAttribute(lambda a: a.user.full_name)
    line1 = factory.Sequence(lambda n: f"{n} Market Street")
    city = "London"
    postcode = "EC1A 1BB"
    country = "GB"
