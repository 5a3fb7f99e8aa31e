"""The record of processing (GDPR Art. 30, P28) as a staff page in the admin, with a CSV download."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from privacy import purposes, reports

#: Staff who may see the register of processors may see the record built from it.
PERMISSION = "privacy.view_processor"


def record_of_processing_view(admin_site, request):
    """The record of processing as a page, or as CSV with ``?format=csv``."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    rows = reports.processing_record()
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.record_as_csv(rows), content_type="text/csv; charset=utf-8")
        filename = f"record-of-processing-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context = {
        **admin_site.each_context(request),
        "title": "Record of processing activities",
        "subtitle": None,
        # The record is a wide table: it gets the whole width.
        "is_nav_sidebar_enabled": False,
        "rows": rows,
        "legitimate_interests": [p for p in purposes.PURPOSES.values() if p.interest],
        "generated_at": timezone.now(),
    }
    return TemplateResponse(request, "admin/privacy/record_of_processing.html", context)
