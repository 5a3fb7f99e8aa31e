"""Every browser journey also checks that the pages it visits break no rule of the
Content Security Policy (FE-02) and raise no JavaScript error."""

import pytest


@pytest.fixture(autouse=True)
def site_url_is_the_live_server(request, settings):
    """Links in emails start with SITE_URL: in a journey, that is the live server."""
    if "live_server" in request.fixturenames:
        settings.SITE_URL = request.getfixturevalue("live_server").url


@pytest.fixture(autouse=True)
def page_problems(request):
    if "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield problems
    assert problems == [], "the browser reported policy violations or script errors"
