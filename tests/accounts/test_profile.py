import pytest

from accounts import services
from accounts.models import Profile, User
from tests.accounts.factories import ProfileFactory, UserFactory

URL = "/account/profile/"


def profile_data(**overrides):
    data = {
        "full_name": "Katherine Johnson",
        "phone": "+1 (757) 555-0100",
        "company": "Langley Research",
        "city": "Hampton",
        "country": "US",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_profile_page_needs_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


@pytest.mark.django_db
def test_p02_profile_page_shows_labelled_fields_and_writes_nothing_on_get(client, django_assert_max_num_queries):
    user = UserFactory(full_name="Katherine Johnson")
    client.force_login(user)

    with django_assert_max_num_queries(12):
        response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    for field_id, label in [
        ("id_full_name", "Full name"),
        ("id_phone", "Phone number"),
        ("id_company", "Company"),
        ("id_city", "Town or city"),
        ("id_country", "Country"),
    ]:
        assert f'<label for="{field_id}">{label}</label>' in html
    assert 'value="Katherine Johnson"' in html
    assert '<option value="GB">United Kingdom</option>' in html
    assert Profile.objects.count() == 0
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_p02_saving_the_profile_updates_name_and_contact_details(client):
    user = UserFactory(full_name="K. Johnson")
    client.force_login(user)

    response = client.post(URL, profile_data(), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Your profile has been saved." in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Katherine Johnson"
    profile = Profile.objects.get(user=user)
    assert (profile.phone, profile.company, profile.city, profile.country) == (
        "+1 (757) 555-0100",
        "Langley Research",
        "Hampton",
        "US",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "phone", ["call me", "12345", "+44 20 7946 0000 ext 12", "++44 20 7946 0000", "+1234567890123456"]
)
def test_a_bad_phone_number_is_refused_with_a_clear_message_and_nothing_changes(client, phone):
    profile = ProfileFactory(phone="+44 20 7946 0000", user__full_name="Old Name")
    client.force_login(profile.user)

    response = client.post(URL, profile_data(phone=phone))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a phone number using digits, spaces and an optional leading + for the country code" in html
    assert 'class="field field-error"' in html
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert profile.phone == "+44 20 7946 0000"
    assert profile.user.full_name == "Old Name"


@pytest.mark.django_db
def test_an_unknown_country_code_is_refused(client):
    profile = ProfileFactory(country="GB")
    client.force_login(profile.user)

    response = client.post(URL, profile_data(country="XX"))

    assert response.status_code == 200
    assert "Select a valid choice. XX is not one of the available choices." in response.content.decode()
    profile.refresh_from_db()
    assert profile.country == "GB"


@pytest.mark.django_db
def test_phone_and_company_may_be_left_empty(client):
    profile = ProfileFactory()
    client.force_login(profile.user)

    response = client.post(URL, profile_data(phone="", company="", city="", country=""))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.phone, profile.company, profile.city, profile.country) == ("", "", "", "")


@pytest.mark.django_db
def test_profile_update_is_atomic(monkeypatch):
    user = UserFactory(full_name="Before")

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Profile, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.profile_update(user=user, full_name="After", phone="+44 20 7946 0000")

    assert User.objects.get(pk=user.pk).full_name == "Before"
    assert Profile.objects.count() == 0


@pytest.mark.django_db
def test_profile_update_refuses_unknown_fields():
    user = UserFactory()

    with pytest.raises(TypeError, match="is_staff"):
        services.profile_update(user=user, is_staff=True)

    user.refresh_from_db()
    assert user.is_staff is False
