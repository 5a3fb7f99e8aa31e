import pytest
from tests.accounts.factories import UserFactory, AddressFactory, PASSWORD

@pytest.mark.django_db
def test_smoke(client):
    for url in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/confirm-email/"]:
        r = client.get(url)
        print(url, r.status_code)
        assert r.status_code == 200, url
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    r = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    print(r.status_code, r.get("Location"))
    r = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    print("reauth", r.status_code, r.get("Location"))
    for url in ["/account/", "/account/profile/", "/account/addresses/", "/account/addresses/add/", "/account/your-data/",
                "/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/2fa/totp/activate/",
                "/accounts/sessions/", "/accounts/logout/", "/accounts/2fa/recovery-codes/generate/", "/account/addresses/1/delete/", "/account/addresses/1/edit/"]:
        r = client.get(url)
        print(url, r.status_code, r.get("Location"), r.get("Cache-Control"))
        assert r.status_code == 200, url
