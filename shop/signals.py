"""Signals the shop sends; other apps (marketing) listen in their receivers.py."""

from django.dispatch import Signal

#: An order was placed (``order_place``), inside the transaction that creates it, so a
#: receiver's rows are committed or rolled back with the order.
#: Arguments: ``sender`` (the Order class), ``order`` (the new Order, lines saved).
order_placed = Signal()
