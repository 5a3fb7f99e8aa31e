"""The one-click unsubscribe page (OPT-01, OPT-02, P05, P27)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from marketing.selectors import unsubscribe_subject
from marketing.services import unsubscribe_by_token
from marketing.tokens import InvalidToken


@csrf_exempt  # RFC 8058: mail clients POST with no cookie and no CSRF token; the signed token is the proof.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows who is being unsubscribed and a button, and changes nothing (link scanners
    open every link). POST, from the button or a mail client's one-click, unsubscribes in
    this request. A token we did not sign gets a 400 page and changes nothing."""
    try:
        if request.method == "POST":
            unsubscribe_by_token(token=token)
            return render(request, "marketing/unsubscribe_done.html")
        subject = unsubscribe_subject(token=token)
    except InvalidToken:
        return render(request, "marketing/unsubscribe_invalid.html", status=400)
    return render(request, "marketing/unsubscribe_confirm.html", {"subject": subject})
