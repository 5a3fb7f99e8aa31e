import pytest

from accounts.models import Address, Profile, User
from tests.accounts.factories import AddressFactory, ProfileFactory, StaffFactory, UserFactory
from tests.accounts.utils import staff_login

ADD_URL = "/admin/accounts/user/add/"


@pytest.fixture
def staff_client(client):
    staff_login(client, StaffFactory(email="staff@example.com"))
    return client


def _add_form(**overrides):
    return {
        "email": "New.Person@Example.com",
        "full_name": "New Person",
        "usable_password": "true",
        "password1": "Quiet-lantern-73",
        "password2": "Quiet-lantern-73",
        **overrides,
    }


@pytest.mark.django_db
def test_user_changelist_lists_email_name_and_flags(staff_client):
    UserFactory(email="ada@example.com", full_name="Ada Lovelace")

    response = staff_client.get("/admin/accounts/user/?q=lovelace")

    assert response.status_code == 200
    assert [u.email for u in response.context["cl"].result_list] == ["ada@example.com"]
    html = response.content.decode()
    for column in ["Email address", "Full name", "Is staff", "Is active", "Date joined"]:
        assert column in html


@pytest.mark.django_db
def test_add_page_asks_for_email_name_and_password_only(staff_client):
    form = staff_client.get(ADD_URL).context["adminform"].form

    assert list(form.fields) == ["email", "full_name", "usable_password", "password1", "password2"]


@pytest.mark.django_db
def test_staff_adds_a_user_with_a_hashed_password_and_lowercased_email(staff_client):
    response = staff_client.post(ADD_URL, _add_form())

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.full_name == "New Person"
    assert user.check_password("Quiet-lantern-73")
    assert not user.password.startswith("Quiet")
    assert (user.is_staff, user.is_superuser) == (False, False)


@pytest.mark.django_db
def test_staff_adds_a_user_without_a_usable_password(staff_client):
    response = staff_client.post(ADD_URL, _add_form(usable_password="false", password1="", password2=""))

    assert response.status_code == 302
    assert not User.objects.get(email="new.person@example.com").has_usable_password()


@pytest.mark.django_db
def test_add_refuses_an_email_that_exists_in_another_case(staff_client):
    UserFactory(email="taken@example.com")

    response = staff_client.post(ADD_URL, _add_form(email="TAKEN@example.com"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == ["An account with this email address already exists."]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


@pytest.mark.django_db
def test_add_refuses_mismatched_or_weak_passwords(staff_client):
    mismatch = staff_client.post(ADD_URL, _add_form(password2="Other-lantern-73"))
    weak = staff_client.post(ADD_URL, _add_form(password1="password", password2="password"))

    assert mismatch.context["adminform"].form.errors["password2"] == ["The two password fields didn’t match."]
    assert "This password is too common." in weak.context["adminform"].form.errors["password2"]
    assert not User.objects.filter(email="new.person@example.com").exists()


@pytest.mark.django_db
def test_change_page_shows_profile_and_address_inlines_and_no_password_hash_field(staff_client):
    profile = ProfileFactory(company="Analytical Engines")
    AddressFactory(user=profile.user, line1="12 Byron Street")

    response = staff_client.get(f"/admin/accounts/user/{profile.user.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Analytical Engines" in html
    assert "12 Byron Street" in html
    assert 'href="../password/">Reset password</a>' in html
    assert 'name="password"' not in html


@pytest.mark.django_db
def test_staff_changes_a_users_name_and_profile_from_the_change_page(staff_client):
    user = UserFactory(email="ada@example.com", full_name="Ada")

    response = staff_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": "ada@example.com",
            "full_name": "Ada Lovelace",
            "is_active": "on",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-phone": "+44 20 7946 0001",
            "profile-0-company": "Engines",
            "profile-0-city": "London",
            "profile-0-country": "GB",
            "profile-0-user": user.pk,
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
            "addresses-MIN_NUM_FORMS": "0",
            "addresses-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Ada Lovelace"
    assert Profile.objects.get(user=user).company == "Engines"
    assert Address.objects.filter(user=user).count() == 0


@pytest.mark.django_db
def test_staff_sets_a_new_password_on_the_password_page(staff_client):
    user = UserFactory()

    response = staff_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "Silver-meadow-58", "password2": "Silver-meadow-58"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Silver-meadow-58")


@pytest.mark.django_db
def test_customer_cannot_open_the_user_admin(client):
    customer = UserFactory()
    staff_login(client, customer)

    response = client.get(f"/admin/accounts/user/{customer.pk}/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
