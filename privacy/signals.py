"""Signals the privacy hub sends; other apps react in their receivers.py.

consent_given(sender=ConsentEvent, event, user, email, phone, purpose)
    A person gave consent for ``purpose``; sent after the transaction commits.
consent_withdrawn(sender=ConsentEvent, event, user, email, phone, purpose)
    A person withdrew consent for ``purpose``; sent after the transaction commits, so a
    receiver that drops queued messages (P27) sees the committed ledger.
"""

from django.dispatch import Signal

consent_given = Signal()
consent_withdrawn = Signal()
