"""Trigram search over name variants on PostgreSQL (people/search.py).

pg_trgm's GIN index serves ``search_key % q`` / ``q <% search_key`` (similarity and word
similarity) and ``LIKE '%q%'``; unaccent is there for free-text matching of other fields. SQLite has
neither, and finds variants through the stored key alone, so the operations do nothing there."""

from django.db import migrations

INDEX = "people_namevariant_search_key_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON people_namevariant USING gin (search_key gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
