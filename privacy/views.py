from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from privacy.models import PolicyVersion
from privacy.services import policy_acknowledge


def _safe_next(request, default="/"):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def policy_acknowledge_view(request):
    """The "I have read it" button of the changed-policy notice (P35)."""
    try:
        version = PolicyVersion.objects.get(pk=int(request.POST.get("version", "")))
    except (ValueError, PolicyVersion.DoesNotExist):
        return HttpResponseBadRequest("That policy version does not exist.")
    policy_acknowledge(user=request.user, policy_version=version, session=request.session)
    return redirect(_safe_next(request))
