"""On PostgreSQL, the ledger refuses UPDATE and DELETE at the database
level too (the model refuses them in Python). TRUNCATE stays possible: it
is what the test suite uses to empty the tables between tests."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION frenchimpact_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE =
        'frenchimpact_ledgerentry is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER frenchimpact_ledger_append_only
    BEFORE UPDATE OR DELETE ON frenchimpact_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION frenchimpact_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS frenchimpact_ledger_append_only ON frenchimpact_ledgerentry;
DROP FUNCTION IF EXISTS frenchimpact_ledger_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("frenchimpact", "0002_ledgerentry")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
