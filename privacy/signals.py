"""Signals the privacy hub sends; other apps react in their receivers.py.

consent_given(sender=ConsentEvent, event, user, email, phone, purpose)
    A person gave consent for ``purpose``; sent after the transaction commits.
consent_withdrawn(sender=ConsentEvent, event, user, email, phone, purpose)
    A person withdrew consent for ``purpose``; sent after the transaction commits, so a
    receiver that drops queued messages (P27) sees the committed ledger.
objection_recorded(sender=ConsentEvent, user, email, purposes)
    A person objected to ``purposes`` (P22); sent after the transaction commits, so
    marketing stops sending to them and drops their queued messages.
export_ready(sender=DataExport, export)
    A person's export was built and can be downloaded; sent after the transaction commits.
    The request it was made for is completed by privacy's own receiver.
"""

from django.dispatch import Signal

consent_given = Signal()
consent_withdrawn = Signal()
export_ready = Signal()
objection_recorded = Signal()
