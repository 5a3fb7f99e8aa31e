import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Profile, User

SIGNUP_URL = "/accounts/signup/"
GOOD_PASSWORD = "Lantern-orbit-2047"


def signup_data(**overrides):
    data = {
        "email": "grace@example.com",
        "full_name": "Grace Hopper",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "confirm_age": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_p12_signup_page_shows_labelled_fields_age_box_and_password_rules(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for field_id, label in [
        ("id_email", "Email"),
        ("id_full_name", "Full name"),
        ("id_password1", "Password"),
        ("id_password2", "Password (again)"),
        ("id_confirm_age", "I am 16 or older"),
    ]:
        assert f'<label for="{field_id}">{label}</label>' in html
    assert "Your password must contain at least 8 characters." in html
    assert "Your password must contain at least one letter and one number." in html
    # Fields come in the order a person fills them in.
    positions = [
        html.index(f'id="{field_id}"')
        for field_id in ("id_email", "id_full_name", "id_password1", "id_password2", "id_confirm_age")
    ]
    assert positions == sorted(positions)
    assert 'href="/static/css/site.css"' in html


@pytest.mark.django_db
def test_p12_signup_without_age_confirmation_is_refused_with_a_clear_message(client, mailoutbox):
    response = client.post(SIGNUP_URL, signup_data(confirm_age=None))

    assert response.status_code == 200
    assert "You must be 16 or older to open an account." in response.content.decode()
    assert 'class="form-errors"' in response.content.decode()
    assert User.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_p12_signup_records_name_and_age_creates_profile_and_asks_to_check_inbox(client, mailoutbox):
    response = client.post(SIGNUP_URL, signup_data(), follow=True)

    assert response.redirect_chain == [("/accounts/confirm-email/", 302)]
    assert "Check your inbox" in response.content.decode()
    user = User.objects.get()
    assert user.email == "grace@example.com"
    assert user.full_name == "Grace Hopper"
    assert user.age_confirmed_at is not None
    assert Profile.objects.filter(user=user).count() == 1
    assert EmailAddress.objects.get(user=user).verified is False
    # Mandatory verification: not signed in until the address is confirmed.
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["grace@example.com"]
    assert mailoutbox[0].subject == "[Kinetogram Marketing] Please confirm your email address"
    assert "example.com" not in mailoutbox[0].body.replace("grace@example.com", "")
    assert "We will never ask for your card or bank details by email." in mailoutbox[0].body


@pytest.mark.django_db
def test_confirmation_link_confirms_only_on_post_and_signs_the_customer_in(client, settings, mailoutbox):
    settings.SITE_URL = "https://shop.kinetogram.example"
    client.post(SIGNUP_URL, signup_data())
    link = re.search(r"https://shop\.kinetogram\.example(/accounts/confirm-email/\S+/)", mailoutbox[0].body).group(1)

    page = client.get(link)

    assert page.status_code == 200
    assert "Confirm that <strong>grace@example.com</strong> is your email address" in page.content.decode()
    assert EmailAddress.objects.get().verified is False

    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get().verified is True
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_shows_the_error_next_to_the_field(client):
    response = client.post(SIGNUP_URL, signup_data(password2="Different-orbit-2047"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You must type the same password each time." in html
    assert User.objects.count() == 0
