"""Downloading a prepared copy of one's data (P19, P24): the signed-in owner's link and the
signed link emailed to a person without an account (PR-06, IN-07, AC-01)."""

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from privacy.conf import settings as privacy_settings
from privacy.models import DataExport
from privacy.selectors.export import export_for_owner
from privacy.services.export import (
    ExportUnavailable,
    export_download,
    export_download_name,
    export_from_link_token,
)


def _unavailable(request, export=None):
    # A clear page, with the status of a missing one: the file is gone (PR-06).
    return render(
        request,
        "privacy/export_expired.html",
        {
            "export": export,
            "failed": export is not None and export.status == DataExport.Status.FAILED,
            "export_days": privacy_settings.EXPORT_DAYS,
        },
        status=404,
    )


def _serve(request, export: DataExport, *, actor, via: str):
    if export.status == DataExport.Status.PENDING:
        return render(
            request, "privacy/export_pending.html", {"export": export, "export_days": privacy_settings.EXPORT_DAYS}
        )
    try:
        handle = export_download(export=export, actor=actor, via=via)
    except ExportUnavailable:
        return _unavailable(request, export)
    return FileResponse(
        handle, as_attachment=True, filename=export_download_name(export), content_type="application/zip"
    )


@never_cache
@login_required
@require_GET
def export_download_view(request, token):
    """/privacy/download/<token>/: the signed-in owner's export; 404 for anyone else (AC-01)."""
    export = export_for_owner(token=token, user=request.user)
    if export is None:
        raise Http404("No such download.")
    return _serve(request, export, actor=request.user, via="signed in")


@never_cache
@require_GET
def export_download_link(request, signed):
    """/privacy/download/<signed>/: the link emailed to a person without an account, valid
    for PRIVACY_EXPORT_DAYS."""
    try:
        export = export_from_link_token(token=signed)
    except signing.SignatureExpired:
        return _unavailable(request)
    except (signing.BadSignature, DataExport.DoesNotExist) as exc:
        raise Http404("No such download.") from exc
    return _serve(request, export, actor=None, via="with the emailed link")
