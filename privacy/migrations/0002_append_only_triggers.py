"""PostgreSQL triggers that make the consent ledger and the audit log append-only.

OPT-06 and LG-02: UPDATE is always refused. DELETE is refused unless the transaction set
``kinetogram.privacy_path`` (see privacy/db.py): "erasure" lets a person's consent events
go with them; "purge" lets rows older than six years (P10) go. Other databases (SQLite for
a first run) rely on the ORM paths alone. TRUNCATE needs the table owner, which the
application role is not in production, and the test suite's flush relies on it.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION privacy_refuse_change() RETURNS trigger AS $$
DECLARE
    path text := coalesce(current_setting('kinetogram.privacy_path', true), '');
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_ARGV[0] = 'consent' AND path = 'erasure' THEN
            RETURN OLD;
        END IF;
        IF path = 'purge' AND OLD.created_at < now() - interval '6 years' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = {
    "privacy_consentevent": "consent",
    "privacy_auditevent": "audit",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table, kind in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION privacy_refuse_change('{kind}')"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS privacy_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
