"""The rows billing cannot work without: the UK standard rate and the two number sequences.

Loaded by the data migration, and again after every migrate or flush (post_migrate, as
Django recreates permissions), so a database emptied by a test flush still has them.
"""

import datetime
from decimal import Decimal

#: The UK standard rate since 4 January 2011 (Finance Act 2010); a change is a new VatRate row.
UK_STANDARD_RATES = [(datetime.date(2011, 1, 4), Decimal("0.2000"), "UK standard rate")]
#: Invoices and credit notes run in two sequences: each is unbroken on its own, and an
#: auditor reading either list sees at once which kind of document a number is.
SEQUENCES = {"invoice": "INV-", "credit_note": "CN-"}


def load_reference_rows(*, vat_rate_model, sequence_model):
    for starts_on, rate, note in UK_STANDARD_RATES:
        vat_rate_model.objects.get_or_create(starts_on=starts_on, defaults={"rate": rate, "note": note})
    for key, prefix in SEQUENCES.items():
        sequence_model.objects.get_or_create(key=key, defaults={"prefix": prefix})
