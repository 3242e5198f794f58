"""PostgreSQL search tables, replacing the tsvector column on catalog_model (0002).

`catalog_search`: one row per model with what search filters, counts and sorts on, and one
tsvector: name (A) > tags/task/domain (B) > summary (C) with positions, plus the card's words
without positions (so the card matches but only name, tags and summary rank: ts_rank_cd
ignores lexemes without positions). No card text, no JSON: scans read fewer pages than
catalog_model's.
`catalog_search_sample_16` and `_128`: the same rows for one model in 16 and one in 128, each
packed in its own table; facet counts and totals over large result sets are estimated from it.
`catalog_search_word`: the words of owner and model names, with a trigram GiST index: typo
correction takes a mistyped word's nearest words from it ("bret" -> "bert") instead of
scanning every name.

One trigger on catalog_model keeps all three current in the writing transaction; updates that
only touch counters (downloads, likes, trending) skip the tsvector work. SQLite keeps FTS5
(0002)."""

import importlib

from django.db import migrations

SAMPLE_RATES = (16, 128)  # catalog.search.postgres.SAMPLES must match


def _each_sample(template: str) -> str:
    return "\n".join(template.format(rate=rate) for rate in SAMPLE_RATES)


SAMPLE_TABLES = ", ".join(f"catalog_search_sample_{rate}" for rate in SAMPLE_RATES)

RESAMPLE = """      IF NEW.id % {rate} = 0 THEN
        DELETE FROM catalog_search_sample_{rate} WHERE model_id = NEW.id;
        INSERT INTO catalog_search_sample_{rate}
          SELECT * FROM catalog_search WHERE model_id = NEW.id;
      END IF;"""
SAMPLE_INSERT = """  IF NEW.id % {rate} = 0 THEN
    INSERT INTO catalog_search_sample_{rate} SELECT * FROM catalog_search WHERE model_id = NEW.id;
  END IF;"""
SAMPLE_FILL = """  INSERT INTO catalog_search_sample_{rate}
    SELECT * FROM catalog_search WHERE model_id % {rate} = 0;"""

PG_FORWARD = rf"""
DROP TRIGGER IF EXISTS catalog_model_search_vector_trg ON catalog_model;
DROP FUNCTION IF EXISTS catalog_model_search_vector();
DROP INDEX IF EXISTS catalog_model_name_trgm_idx;
DROP INDEX IF EXISTS catalog_model_languages_idx;
DROP INDEX IF EXISTS catalog_model_datasets_idx;
ALTER TABLE catalog_model DROP COLUMN IF EXISTS search_vector;

CREATE TABLE catalog_search (
  model_id bigint PRIMARY KEY,
  namespace_id bigint NOT NULL,
  private boolean NOT NULL,
  task text NOT NULL,
  library text NOT NULL,
  source_domain text NOT NULL,
  license text NOT NULL,
  base_model text NOT NULL,
  finetunable boolean NOT NULL,
  languages text[] NOT NULL,
  datasets text[] NOT NULL,
  tags text[] NOT NULL,
  downloads bigint NOT NULL,
  likes bigint NOT NULL,
  trending bigint NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  search_vector tsvector NOT NULL
);
{_each_sample("CREATE TABLE catalog_search_sample_{rate} (LIKE catalog_search INCLUDING ALL);")}
CREATE TABLE catalog_search_word (word text PRIMARY KEY, models integer NOT NULL);

CREATE FUNCTION catalog_search_words(owner text, name text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
  SELECT DISTINCT w FROM regexp_split_to_table(lower(coalesce(owner, '') || ' ' || name),
                                               '[^a-z0-9]+') AS w
  WHERE length(w) >= 3
$$;

CREATE FUNCTION catalog_search_row(m catalog_model) RETURNS catalog_search
LANGUAGE plpgsql STABLE AS $$
DECLARE
  owner text;
  meta tsvector;  -- weighted, with positions: what ranks
  result catalog_search;
BEGIN
  SELECT name INTO owner FROM catalog_namespace WHERE id = m.namespace_id;
  meta :=
    setweight(to_tsvector('english', coalesce(owner, '') || ' ' || m.name || ' '
              || regexp_replace(m.name, '[-_.]+', ' ', 'g')), 'A') ||
    setweight(to_tsvector('english', coalesce(m.tags::text, '') || ' '
              || replace(m.task, '-', ' ') || ' ' || replace(m.source_domain, '-', ' ')
              || ' ' || m.library), 'B') ||
    setweight(to_tsvector('english', coalesce(m.summary, '')), 'C');
  result := ROW(
    m.id, m.namespace_id, m.private, m.task, m.library, m.source_domain, m.license,
    m.base_model, m.finetunable,
    ARRAY(SELECT jsonb_array_elements_text(coalesce(m.languages::jsonb, '[]'))),
    ARRAY(SELECT jsonb_array_elements_text(coalesce(m.datasets::jsonb, '[]'))),
    ARRAY(SELECT jsonb_array_elements_text(coalesce(m.tags::jsonb, '[]'))),
    m.downloads, m.likes, m.trending, m.created_at, m.updated_at,
    meta || strip(to_tsvector('english', left(coalesce(m.card, ''), 10000))));
  RETURN result;
END $$;

CREATE FUNCTION catalog_search_count_words(owner_id bigint, name text, delta integer)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO catalog_search_word AS w (word, models)
  SELECT word, greatest(delta, 0)
  FROM catalog_search_words((SELECT n.name FROM catalog_namespace n WHERE n.id = owner_id),
                            name) AS word
  ORDER BY word  -- a fixed lock order: concurrent publishes cannot deadlock on words
  ON CONFLICT (word) DO UPDATE SET models = greatest(w.models + delta, 0)
$$;

CREATE FUNCTION catalog_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    IF TG_OP = 'UPDATE'
       AND (NEW.name, NEW.namespace_id, NEW.tags::text, NEW.task, NEW.source_domain,
            NEW.library, NEW.summary, NEW.card)
           IS NOT DISTINCT FROM
           (OLD.name, OLD.namespace_id, OLD.tags::text, OLD.task, OLD.source_domain,
            OLD.library, OLD.summary, OLD.card) THEN
      -- No text changed (counters, visibility, facets): skip the tsvector work.
      UPDATE catalog_search SET
        private = NEW.private, license = NEW.license, base_model = NEW.base_model,
        finetunable = NEW.finetunable,
        languages = ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW.languages::jsonb, '[]'))),
        datasets = ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW.datasets::jsonb, '[]'))),
        downloads = NEW.downloads, likes = NEW.likes, trending = NEW.trending,
        created_at = NEW.created_at, updated_at = NEW.updated_at
      WHERE model_id = NEW.id;
{_each_sample(RESAMPLE)}
      RETURN NULL;
    END IF;
    DELETE FROM catalog_search WHERE model_id = OLD.id;
{_each_sample("    DELETE FROM catalog_search_sample_{rate} WHERE model_id = OLD.id;")}
    IF TG_OP = 'DELETE' OR NEW.name <> OLD.name OR NEW.namespace_id <> OLD.namespace_id THEN
      PERFORM catalog_search_count_words(OLD.namespace_id, OLD.name, -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN NULL;
    END IF;
  END IF;
  INSERT INTO catalog_search SELECT * FROM catalog_search_row(NEW);
{_each_sample(SAMPLE_INSERT)}
  IF TG_OP = 'INSERT' OR NEW.name <> OLD.name OR NEW.namespace_id <> OLD.namespace_id THEN
    PERFORM catalog_search_count_words(NEW.namespace_id, NEW.name, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_search_sync_trg
  AFTER INSERT OR UPDATE OR DELETE ON catalog_model
  FOR EACH ROW EXECUTE FUNCTION catalog_search_sync();

-- TRUNCATE fires no row triggers (manage.py flush, transactional tests use it).
CREATE FUNCTION catalog_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE catalog_search, {SAMPLE_TABLES}, catalog_search_word;
  RETURN NULL;
END $$;
CREATE TRIGGER catalog_search_truncate_trg
  AFTER TRUNCATE ON catalog_model
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_truncate();

-- DELETE, not TRUNCATE: searches running meanwhile keep reading the old rows (MVCC) instead
-- of waiting for the exclusive lock until the refill commits.
CREATE FUNCTION catalog_search_refill() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM catalog_search;
{_each_sample("  DELETE FROM catalog_search_sample_{rate};")}
  DELETE FROM catalog_search_word;
  INSERT INTO catalog_search SELECT r.* FROM catalog_model m, catalog_search_row(m) AS r;
{_each_sample(SAMPLE_FILL)}
  INSERT INTO catalog_search_word (word, models)
    SELECT w, count(*) FROM catalog_model m JOIN catalog_namespace n ON n.id = m.namespace_id,
      catalog_search_words(n.name, m.name) AS w GROUP BY w;
  RETURN (SELECT count(*) FROM catalog_search);
END $$;
SELECT catalog_search_refill();

CREATE INDEX catalog_search_text_idx ON catalog_search USING GIN (search_vector);
CREATE INDEX catalog_search_downloads_idx ON catalog_search (downloads DESC, model_id DESC);
CREATE INDEX catalog_search_likes_idx ON catalog_search (likes DESC, model_id DESC);
CREATE INDEX catalog_search_trending_idx ON catalog_search (trending DESC, model_id DESC);
CREATE INDEX catalog_search_updated_idx ON catalog_search (updated_at DESC, model_id DESC);
CREATE INDEX catalog_search_created_idx ON catalog_search (created_at DESC, model_id DESC);
CREATE INDEX catalog_search_namespace_idx ON catalog_search (namespace_id, downloads DESC);
CREATE INDEX catalog_search_task_idx ON catalog_search (task, downloads DESC);
CREATE INDEX catalog_search_license_idx ON catalog_search (license);
CREATE INDEX catalog_search_library_idx ON catalog_search (library);
CREATE INDEX catalog_search_base_idx ON catalog_search (base_model) WHERE base_model <> '';
CREATE INDEX catalog_search_languages_idx ON catalog_search USING GIN (languages);
CREATE INDEX catalog_search_datasets_idx ON catalog_search USING GIN (datasets);
CREATE INDEX catalog_search_tags_idx ON catalog_search USING GIN (tags);
CREATE INDEX catalog_search_private_idx ON catalog_search (namespace_id) WHERE private;
CREATE INDEX catalog_search_word_trgm_idx ON catalog_search_word USING GIST (word gist_trgm_ops);
"""

PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS catalog_search_sync_trg ON catalog_model;
DROP TRIGGER IF EXISTS catalog_search_truncate_trg ON catalog_model;
DROP FUNCTION IF EXISTS catalog_search_sync();
DROP FUNCTION IF EXISTS catalog_search_truncate();
DROP FUNCTION IF EXISTS catalog_search_refill();
DROP FUNCTION IF EXISTS catalog_search_count_words(bigint, text, integer);
DROP FUNCTION IF EXISTS catalog_search_row(catalog_model);
DROP FUNCTION IF EXISTS catalog_search_words(text, text);
DROP TABLE IF EXISTS catalog_search_word, {SAMPLE_TABLES}, catalog_search;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_BACKWARD)
    # Back to 0002's column, trigger and indexes; re-firing the trigger fills the column.
    module = importlib.import_module("catalog.migrations.0002_search")
    schema_editor.execute(module.PG_FORWARD.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
    schema_editor.execute("UPDATE catalog_model SET name = name")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_accounts")]
    operations = [migrations.RunPython(forward, backward)]
