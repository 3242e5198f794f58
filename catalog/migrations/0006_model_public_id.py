"""Random public ids for models: added empty, filled one by one (a callable default would
give every existing row the same value), then made unique.

SQLite makes a column unique by rebuilding the table, which drops the full-text triggers of
0002_search; they are put back after it (and after the rebuild of the way back)."""

import importlib
import secrets

from django.db import migrations, models

import catalog.models


def fill_public_ids(apps, schema_editor):
    Model = apps.get_model("catalog", "Model")
    for model in Model.objects.filter(public_id__isnull=True).only("pk").iterator():
        Model.objects.filter(pk=model.pk).update(public_id=secrets.token_hex(12))


def sqlite_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    search = importlib.import_module("catalog.migrations.0002_search")
    for name in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS catalog_model_fts_{name}")
    for statement in search.SQLITE_FORWARD:
        if statement.startswith("CREATE TRIGGER"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_blob_last_seen"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_search_triggers),
        migrations.AddField(
            model_name="model",
            name="public_id",
            field=models.CharField(max_length=24, null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="model",
            name="public_id",
            field=models.CharField(
                default=catalog.models.public_id_new, editable=False, max_length=24, unique=True
            ),
        ),
        migrations.RunPython(sqlite_search_triggers, migrations.RunPython.noop),
    ]
