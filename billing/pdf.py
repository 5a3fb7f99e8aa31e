"""One template, two renderings: the HTML page and the PDF are the same document."""

from django.template.loader import render_to_string

from billing import conf

TEMPLATE = "billing/document.html"
STYLESHEET = "css/invoice.css"


def document_context(document, *, for_pdf=False):
    return {
        "document": document,
        "lines": list(document.lines.all()),
        "order_number": document.order.number,
        "seller_email": conf.seller()["email"],
        "for_pdf": for_pdf,
    }


def document_html(document, *, for_pdf=False) -> str:
    return render_to_string(TEMPLATE, document_context(document, for_pdf=for_pdf))


def document_pdf(document) -> bytes:
    """The document as a PDF, rendered now (documents are never stored as files: the
    database row is the record, and the PDF is drawn from it on demand)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # heavy import (pango): only when a PDF is asked for

    sheet = CSS(filename=finders.find(STYLESHEET))
    return HTML(string=document_html(document, for_pdf=True)).write_pdf(stylesheets=[sheet])


def pdf_filename(document) -> str:
    kind = "credit-note" if document.is_credit_note else "invoice"
    return f"kinetogram-{kind}-{document.number}.pdf"
