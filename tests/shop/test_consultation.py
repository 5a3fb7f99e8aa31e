import pytest
from django.core.cache import cache
from django.urls import reverse

from shop.models import ConsultationRequest
from shop.services import consultation_request_create, consultation_request_set_status
from tests.accounts.factories import UserFactory
from tests.live_services import REDIS_URL, redis_is_up

URL = "/consultation/"
VALID = {
    "name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "+44 20 7946 0018",
    "company": "Compiler Ltd",
    "message": "We sell software courses and would like more sign-ups from our newsletter.",
}


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_p37_consultation_url_name():
    assert reverse("shop:consultation") == URL


@pytest.mark.django_db
def test_p37_form_page_shows_every_field_with_a_label(client):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for name in ["name", "email", "phone", "company", "message"]:
        assert f'<label for="id_{name}">' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.django_db
def test_p37_signed_in_customer_gets_name_and_email_prefilled(client):
    user = UserFactory(full_name="Ada Lovelace", email="ada@example.com")
    client.force_login(user)

    response = client.get(URL)

    form = response.context["form"]
    assert form["name"].value() == "Ada Lovelace"
    assert form["email"].value() == "ada@example.com"


@pytest.mark.django_db
def test_p37_valid_request_is_stored_confirmed_by_email_and_redirects(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, VALID)

    assert response.status_code == 302
    assert response["Location"] == "/consultation/thanks/"
    request = ConsultationRequest.objects.get()
    assert (request.name, request.email, request.phone, request.company) == (
        "Grace Hopper",
        "grace@example.com",
        "+44 20 7946 0018",
        "Compiler Ltd",
    )
    assert request.message == VALID["message"]
    assert request.status == ConsultationRequest.Status.NEW
    assert request.user is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["grace@example.com"]
    assert mailoutbox[0].subject == "We have your consultation request"


@pytest.mark.django_db
def test_p37_thank_you_page_follows_the_redirect(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, VALID, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/consultation/thanks/", 302)]
    html = response.content.decode()
    assert "Thank you, we have your request" in html
    assert "We have emailed a confirmation to grace@example.com." in html


@pytest.mark.django_db
def test_p37_request_from_signed_in_customer_is_linked_to_them(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, VALID)

    assert ConsultationRequest.objects.get().user == user


@pytest.mark.django_db
def test_p16_confirmation_email_says_we_never_ask_for_card_details_and_does_not_echo_the_message(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation_request_create(**VALID)

    message = mailoutbox[0]
    html = message.alternatives[0][0]
    assert "We will never ask you for your card or bank details by email." in message.body
    assert "never ask you for your card or bank details by email" in html
    assert "Hello Grace Hopper," in message.body
    assert VALID["message"] not in message.body
    assert VALID["message"] not in html


@pytest.mark.django_db
def test_p37_no_email_when_the_transaction_rolls_back(mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                consultation_request_create(**VALID)
                raise RuntimeError("boom")

    assert callbacks == []
    assert mailoutbox == []
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "Please tell us your name."),
        ("email", "not-an-email", "Enter a valid email address, like name@example.com."),
        ("email", "", "Please enter your email address so we can reply."),
        ("phone", "call me maybe", "Enter a phone number of 7 to 15 digits, for example +44 20 7946 0000."),
        ("phone", "12345", "Enter a phone number of 7 to 15 digits, for example +44 20 7946 0000."),
        ("phone", "+1" + "2" * 20, "Enter a phone number of 7 to 15 digits, for example +44 20 7946 0000."),
        ("message", "", "Please tell us briefly what you would like to discuss."),
        ("message", "Hi", "Please tell us a little more: at least 20 characters."),
        ("message", "x" * 4001, "Please keep your message to 4000 characters (it has 4001)."),
        ("name", "Visit https://spam.example", "Please enter just your name, without a web address."),
    ],
)
def test_p37_invalid_input_shows_inline_error_and_stores_nothing(client, mailoutbox, field, value, error):
    response = client.post(URL, {**VALID, field: value})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    html = response.content.decode()
    assert 'class="form-errors"' in html
    assert f'id="id_{field}_errors"' in html
    assert ConsultationRequest.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_p37_message_of_exactly_4000_characters_is_accepted(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**VALID, "message": "y" * 4000})

    assert response.status_code == 302
    assert len(ConsultationRequest.objects.get().message) == 4000


@pytest.mark.django_db
def test_p37_phone_and_company_are_optional(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**VALID, "phone": "", "company": ""})

    assert response.status_code == 302
    request = ConsultationRequest.objects.get()
    assert (request.phone, request.company) == ("", "")


@pytest.mark.django_db
def test_p37_sixth_request_in_an_hour_from_one_ip_gets_429_and_is_not_stored(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(URL, VALID).status_code for _ in range(5)]
        refused = client.post(URL, VALID)

    assert statuses == [302] * 5
    assert refused.status_code == 429
    assert "Please slow down a little" in refused.content.decode()
    assert ConsultationRequest.objects.count() == 5
    assert len(mailoutbox) == 5


@pytest.mark.django_db
def test_p37_rate_limit_is_per_client_ip(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post(URL, VALID, REMOTE_ADDR="203.0.113.5")
        blocked = client.post(URL, VALID, REMOTE_ADDR="203.0.113.5")
        other = client.post(URL, VALID, REMOTE_ADDR="198.51.100.7")

    assert blocked.status_code == 429
    assert other.status_code == 302
    assert ConsultationRequest.objects.count() == 6


@pytest.mark.django_db
def test_p37_forged_forwarded_for_header_does_not_escape_the_limit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(URL, VALID, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(6)]

    assert statuses == [302] * 5 + [429]


@pytest.mark.django_db
def test_p37_invalid_posts_do_not_use_up_the_limit(client, django_capture_on_commit_callbacks):
    for _ in range(8):
        client.post(URL, {**VALID, "email": "broken"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, VALID)

    assert response.status_code == 302


@pytest.mark.django_db
def test_p37_rate_limit_reads_the_setting_at_call_time(client, settings, django_capture_on_commit_callbacks):
    settings.SHOP_CONSULTATION_RATE_LIMIT = (1, 60)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, VALID)
        second = client.post(URL, VALID)

    assert (first.status_code, second.status_code) == (302, 429)


@pytest.mark.django_db
def test_p37_form_refuses_other_methods(client):
    assert client.put(URL).status_code == 405
    assert client.post("/consultation/thanks/").status_code == 405


@pytest.mark.django_db
def test_p37_set_status_moves_only_requests_not_already_there():
    given = [
        ConsultationRequest.objects.create(name=f"P{n}", email=f"p{n}@example.com", message="m" * 30) for n in range(3)
    ]
    ConsultationRequest.objects.filter(pk=given[0].pk).update(status="contacted")

    changed = consultation_request_set_status(
        consultation_requests=ConsultationRequest.objects.all(), status="contacted"
    )

    assert changed == 2
    assert set(ConsultationRequest.objects.values_list("status", flat=True)) == {"contacted"}


@pytest.mark.django_db
def test_p37_set_status_refuses_an_unknown_status():
    ConsultationRequest.objects.create(name="P", email="p@example.com", message="m" * 30)

    with pytest.raises(ValueError):
        consultation_request_set_status(consultation_requests=ConsultationRequest.objects.all(), status="lost")

    assert ConsultationRequest.objects.get().status == "new"


@pytest.mark.django_db
def test_p37_extra_posted_fields_cannot_set_status_or_owner(client, django_capture_on_commit_callbacks):
    someone = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**VALID, "status": "closed", "user": someone.pk, "created_at": "2001-01-01"})

    request = ConsultationRequest.objects.get()
    assert request.status == "new"
    assert request.user is None
    assert request.created_at.year != 2001


@pytest.mark.django_db
def test_p37_showing_the_form_writes_nothing(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
        client.get("/consultation/thanks/")

    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.django_db
def test_p37_form_page_query_count_for_a_signed_in_customer(client, django_assert_max_num_queries):
    client.force_login(UserFactory())
    client.get(URL)  # the first request records the session (usersessions); measure the page itself

    # Session, user and activity tracking take 6 of these; the page itself reads only the cart
    # badge; the changed-policy notice reads the policy in effect (uncached under test, P35).
    with django_assert_max_num_queries(9):
        response = client.get(URL)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}")
def test_p37_au04_rate_limit_is_shared_through_the_redis_cache(client, settings, django_capture_on_commit_callbacks):
    """AU-04: with the Redis cache every worker process counts against the same limit."""
    import uuid

    from django.core.cache import caches

    from privacy.ratelimit import counter_key

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        with django_capture_on_commit_callbacks(execute=True):
            statuses = [client.post(URL, VALID).status_code for _ in range(6)]
        # A second connection, as another worker would open, sees the same count.
        other_worker = caches.create_connection("default")
        count = other_worker.get(counter_key("consultation", "127.0.0.1"))
    finally:
        caches["default"].delete(counter_key("consultation", "127.0.0.1"))

    assert statuses == [302] * 5 + [429]
    assert count == 5


@pytest.mark.django_db
def test_p37_invalid_field_is_described_by_its_error_and_help(client):
    response = client.post(URL, {**VALID, "phone": "abc", "name": ""})

    html = response.content.decode()
    assert 'aria-describedby="id_phone_errors id_phone_helptext"' in html
    assert 'aria-describedby="id_name_errors"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_message_helptext"' in html


@pytest.mark.django_db
def test_p37_mail_server_failure_still_thanks_the_visitor_and_keeps_the_request(
    client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken_send(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down for grace@example.com")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken_send)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, VALID)

    assert response.status_code == 302
    request = ConsultationRequest.objects.get()
    assert caplog.messages == [
        f"Consultation request {request.pk}: confirmation email not sent (ConnectionRefusedError)"
    ]
    assert "grace@example.com" not in caplog.text


@pytest.mark.django_db
def test_au04_the_limit_follows_the_client_behind_the_proxy_and_forged_hops_do_not_reset_it(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # one proxy in front, appending the address it saw
    with django_capture_on_commit_callbacks(execute=True):
        client_a = [
            client.post(URL, VALID, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
            for n in range(6)  # a new forged first hop each time
        ]
        client_b = client.post(URL, VALID, HTTP_X_FORWARDED_FOR="198.51.100.8", REMOTE_ADDR="10.0.0.2")
    assert [r.status_code for r in client_a] == [302] * 5 + [429]
    assert client_b.status_code == 302
