"""On PostgreSQL the database itself refuses UPDATE and DELETE on the access log. A REVOKE would not
do: the application's role owns the table. A BEFORE trigger raises for every row, whoever asks.
TRUNCATE is left alone: Django's test runner flushes every table with it between live-server tests,
and it needs the table owner's rights anyway (the operator, see docs/security.md). On SQLite the model and queryset refuse; a trigger there would block the
test database's own teardown, and SQLite is the single-user embedded default."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
CREATE TRIGGER audit_accessevent_append_only
    BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_accessevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
