"""The two doors through the append-only triggers (OPT-06, LG-02), on PostgreSQL.

The triggers of ``privacy_consentevent`` and ``privacy_auditevent`` refuse UPDATE and
DELETE unless the transaction has opened one of these doors with ``SET LOCAL``, so the
setting ends with the transaction and cannot leak to another request on the connection.
"""

import contextlib

from django.db import connection, transaction

SETTING = "kinetogram.privacy_path"


@contextlib.contextmanager
def _path(name: str):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, name])
        try:
            yield
        finally:
            if connection.vendor == "postgresql" and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, '', true)", [SETTING])


def erasure_allowed():
    """Inside this block the erasure of a person may delete their consent events."""
    return _path("erasure")


def purge_allowed():
    """Inside this block the retention purge may delete ledger and audit rows past six years."""
    return _path("purge")
