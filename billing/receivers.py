"""Handlers billing connects in ready()."""


def on_post_migrate_load_reference_rows(sender, **kwargs):
    """After migrate or a test flush: the UK rate and the sequences are there (billing.reference)."""
    from billing.models import DocumentSequence, VatRate
    from billing.reference import load_reference_rows

    load_reference_rows(vat_rate_model=VatRate, sequence_model=DocumentSequence)
