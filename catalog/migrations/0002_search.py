"""Full-text search structures, per database:

PostgreSQL: a weighted tsvector column kept current by a trigger (name > tags/task/domain >
summary > card), a GIN index on it, and a trigram index on the name for typo tolerance.
SQLite: an FTS5 table kept current by triggers."""

from django.db import migrations

PG_FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE catalog_model ADD COLUMN search_vector tsvector;
CREATE OR REPLACE FUNCTION catalog_model_search_vector() RETURNS trigger AS $$
DECLARE owner text;
BEGIN
  SELECT name INTO owner FROM catalog_namespace WHERE id = NEW.namespace_id;
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(owner, '') || ' ' || NEW.name || ' '
              || regexp_replace(NEW.name, '[-_.]+', ' ', 'g')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.tags::text, '') || ' '
              || replace(NEW.task, '-', ' ') || ' ' || replace(NEW.source_domain, '-', ' ')
              || ' ' || NEW.library), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'C') ||
    setweight(to_tsvector('english', left(coalesce(NEW.card, ''), 10000)), 'D');
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER catalog_model_search_vector_trg
  BEFORE INSERT OR UPDATE OF name, namespace_id, tags, task, source_domain, library, summary, card
  ON catalog_model FOR EACH ROW EXECUTE FUNCTION catalog_model_search_vector();
CREATE INDEX catalog_model_search_idx ON catalog_model USING GIN (search_vector);
CREATE INDEX catalog_model_name_trgm_idx ON catalog_model USING GIN (name gin_trgm_ops);
CREATE INDEX catalog_model_languages_idx ON catalog_model USING GIN ((languages::jsonb));
CREATE INDEX catalog_model_datasets_idx ON catalog_model USING GIN ((datasets::jsonb));
"""
PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS catalog_model_search_vector_trg ON catalog_model;
DROP FUNCTION IF EXISTS catalog_model_search_vector();
ALTER TABLE catalog_model DROP COLUMN IF EXISTS search_vector;
"""

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE catalog_model_fts USING fts5("
    "name, meta, summary, card, tokenize='porter unicode61')",
    """CREATE TRIGGER catalog_model_fts_insert AFTER INSERT ON catalog_model BEGIN
         INSERT INTO catalog_model_fts(rowid, name, meta, summary, card) VALUES (
           NEW.id,
           (SELECT name FROM catalog_namespace WHERE id = NEW.namespace_id) || ' ' || NEW.name
             || ' ' || replace(replace(NEW.name, '-', ' '), '_', ' '),
           NEW.tags || ' ' || replace(NEW.task, '-', ' ') || ' '
             || replace(NEW.source_domain, '-', ' ') || ' ' || NEW.library,
           NEW.summary, substr(NEW.card, 1, 10000));
       END""",
    """CREATE TRIGGER catalog_model_fts_update AFTER UPDATE ON catalog_model BEGIN
         DELETE FROM catalog_model_fts WHERE rowid = OLD.id;
         INSERT INTO catalog_model_fts(rowid, name, meta, summary, card) VALUES (
           NEW.id,
           (SELECT name FROM catalog_namespace WHERE id = NEW.namespace_id) || ' ' || NEW.name
             || ' ' || replace(replace(NEW.name, '-', ' '), '_', ' '),
           NEW.tags || ' ' || replace(NEW.task, '-', ' ') || ' '
             || replace(NEW.source_domain, '-', ' ') || ' ' || NEW.library,
           NEW.summary, substr(NEW.card, 1, 10000));
       END""",
    """CREATE TRIGGER catalog_model_fts_delete AFTER DELETE ON catalog_model BEGIN
         DELETE FROM catalog_model_fts WHERE rowid = OLD.id;
       END""",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for name in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS catalog_model_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS catalog_model_fts")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
