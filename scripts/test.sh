#!/usr/bin/env bash
# The test command (`make test`): runs the suite on SQLite, then again on PostgreSQL when it is
# reachable. With HUB_REQUIRE_SERVICES=1 (CI sets it) an unreachable service is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONUNBUFFERED=1
require=${HUB_REQUIRE_SERVICES:-0}

bash scripts/services.sh || { [ "$require" = 1 ] && { echo "services not available" >&2; exit 1; }; }
bash scripts/test-tools.sh || { [ "$require" = 1 ] && { echo "chromium or nginx not available" >&2; exit 1; }; }

pg_url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/hub}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

echo "=== suite on SQLite (training, browser and database-independent tests run once, on PostgreSQL) ==="
export CELERY_BROKER_URL="$redis_url"
DATABASE_URL="sqlite:///$(pwd)/var/test-sqlite.sqlite3" $PY -m pytest -m "not training and not browser and not database_independent" "$@"

if $PY - "$pg_url" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}")
    sys.exit(1)
PYEOF
then
  echo "=== suite on PostgreSQL ==="
  DATABASE_URL="$pg_url" $PY -m pytest "$@"
elif [ "$require" = 1 ]; then
  echo "PostgreSQL is required (HUB_REQUIRE_SERVICES=1) but not reachable" >&2
  exit 1
else
  echo "=== PostgreSQL not reachable: skipped the PostgreSQL run ==="
fi
