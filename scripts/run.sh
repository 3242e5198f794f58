#!/usr/bin/env bash
# Serve the site and run a Celery worker beside it. The worker uses the broker from the
# environment (default: files under var/broker, so no Redis or RabbitMQ is needed).
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
cd "$(dirname "$0")/.."
# The site as users see it: styled 404/500 pages instead of Django's debug pages, static files
# from `collectstatic` through whitenoise. `DEBUG=1 make run` brings the debug pages back.
export DEBUG=${DEBUG:-0}
# -B: the same process runs the periodic tasks (trending counts); one worker, so no duplicates.
.venv/bin/celery -A hub worker -B --loglevel=INFO --concurrency=1 --pool=solo &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "The hub is at http://$host:$port/ (worker pid $worker). Ctrl-C stops both."
.venv/bin/python manage.py runserver "$host:$port" --noreload
