from tests.accounts.factories import PASSWORD

LOGIN_URL = "/accounts/login/"


def sign_in(client, user, *, password=PASSWORD, remember=False):
    """Sign in through allauth's form, as a person would."""
    data = {"login": user.email, "password": password}
    if remember:
        data["remember"] = "on"
    return client.post(LOGIN_URL, data)


def reauthenticate(client, *, password=PASSWORD):
    return client.post("/accounts/reauthenticate/", {"password": password})


def main_text(response):
    """The page's main landmark, without tokens that differ per request."""
    import re

    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
