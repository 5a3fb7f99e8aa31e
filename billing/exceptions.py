"""What billing refuses, with messages meant for the person who asked."""


class RefundRefused(Exception):
    """The refund cannot be made (too much, nothing paid); the message is for staff."""
