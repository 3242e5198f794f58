#!/bin/sh
# One image, several roles: web | worker | beat | migrate | <any command>.
set -eu
role=${1:-web}
case "$role" in
  web)
    # Static files go to the volume nginx serves from (hashed names, pre-compressed).
    python manage.py collectstatic --noinput -v 0
    exec gunicorn hub.wsgi --config /app/docker/gunicorn.conf.py
    ;;
  worker)
    # One job at a time per process: a fine-tune uses every core it is given. Scale out with
    # `docker compose up --scale worker=N`; each container gets its own hostname (node name).
    exec celery -A hub worker --loglevel="${LOG_LEVEL:-INFO}" \
      --concurrency="${WORKER_CONCURRENCY:-1}" --prefetch-multiplier=1 \
      --without-gossip --without-mingle --queues="${WORKER_QUEUES:-celery}"
    ;;
  beat)
    # Exactly one: periodic tasks (trending counts, the sweeper for jobs stuck in queued).
    exec celery -A hub beat --loglevel="${LOG_LEVEL:-INFO}" \
      --schedule=/data/celerybeat-schedule
    ;;
  migrate)
    python manage.py migrate --noinput
    if [ "${HUB_SEED_CATALOG:-0}" = 1 ]; then python manage.py seed_catalog; fi
    if [ "${HUB_SEARCH_BACKEND:-database}" != database ]; then python manage.py reindex; fi
    ;;
  *)
    exec "$@"
    ;;
esac
