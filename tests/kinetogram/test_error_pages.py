import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.kinetogram.error_urls")]


@pytest.fixture
def quiet_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_500_page_is_static_and_shows_no_internals(quiet_client):
    response = quiet_client.get("/test-errors/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Kinetogram" in html
    for leak in ["Traceback", "RuntimeError", "hunter2", "secret internal detail", "/work/", 'File "']:
        assert leak not in html


def test_500_template_renders_without_a_request_or_context():
    from django.template import loader

    html = loader.get_template("500.html").render()

    assert "Error 500" in html
    assert "{{" not in html


def test_404_page_uses_the_site_layout(quiet_client):
    response = quiet_client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    assert "/no-such-page/" not in html.split("<main", 1)[1]


def test_403_page_uses_the_site_layout(quiet_client):
    response = quiet_client.get("/test-errors/forbidden/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot open this page" in html
    assert 'class="site-header"' in html


def test_400_page_for_suspicious_input(quiet_client):
    response = quiet_client.get("/test-errors/bad/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not understand that request" in html
    assert "tampered input" not in html


def test_400_page_for_a_forged_host_header(quiet_client):
    response = quiet_client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()


def test_csrf_failure_shows_a_friendly_403(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32  # cookies work; the form's token is missing

    response = client.post("/consultation/", {"name": "A"})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_429_template_renders_with_the_site_layout(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.cache import SessionStore
    from django.shortcuts import render

    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()

    response = render(request, "429.html", status=429)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Please slow down a little" in html
    assert 'class="site-header"' in html


def test_allauth_rate_limits_answer_with_our_429_page(client):
    from django.core.cache import cache

    cache.clear()
    responses = [client.post("/accounts/signup/", {"email": "x"}) for _ in range(21)]
    cache.clear()

    assert [r.status_code for r in responses[:20]] == [200] * 20
    assert responses[20].status_code == 429
    assert "Please slow down a little" in responses[20].content.decode()
