"""Indexes for case text search (tingsu.cases.search): FTS5 trigram tables kept in sync by
triggers on SQLite, pg_trgm GIN indexes on PostgreSQL. Filled from existing rows."""

from django.db import migrations


def forward(apps, schema_editor):
    from tingsu.cases.search import create_search_index

    create_search_index(schema_editor)


def backward(apps, schema_editor):
    from tingsu.cases.search import drop_search_index

    drop_search_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("customers", "0003_encrypt_contact_data"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
