from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing import pdf, selectors


def _own_document(request, number):
    document = selectors.document_for_user(user=request.user, number=number)
    if document is None:
        raise Http404
    return document


@never_cache
@login_required
@require_GET
def document_detail(request, number):
    """A customer's own VAT invoice or credit note as a page (404 for anyone else's)."""
    return HttpResponse(pdf.document_html(_own_document(request, number)))


@never_cache
@login_required
@require_GET
def document_pdf(request, number):
    """The same document as a PDF download, drawn on demand (404 for anyone else's)."""
    document = _own_document(request, number)
    response = HttpResponse(pdf.document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.pdf_filename(document)}"'
    return response
