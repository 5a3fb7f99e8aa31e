import pytest

from analytics.buffer import buffer

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"


@pytest.fixture(autouse=True)
def empty_buffer():
    """Each test starts and ends with an empty page-view buffer (it lives as long as the process)."""
    buffer.clear()
    yield buffer
    buffer.clear()
    # A test that took Redis away must not leave the next one waiting out the rest period.
    buffer._redis_skipped_until = 0.0


@pytest.fixture
def browser_client(client):
    """A visitor in a desktop Firefox (the test client's default says nothing, which counts as a bot)."""
    client.defaults["HTTP_USER_AGENT"] = FIREFOX
    return client
