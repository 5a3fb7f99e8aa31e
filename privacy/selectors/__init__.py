"""Questions other apps ask the privacy hub (``consent_is_granted``, ``processing_is_restricted``).

Grouped by area in this package; import them from here.
"""
